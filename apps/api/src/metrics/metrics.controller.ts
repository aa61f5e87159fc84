import { Controller, Get, Headers, Inject, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  metricsAccess,
  MetricsService,
  NotFoundError,
  PLATFORM_CONFIG,
  UnauthorizedError,
  type PlatformConfig,
} from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/rate-limit.decorator';

/**
 * Prometheus' scrape target (unversioned, like /health; never rate-limited). Not a user's
 * route: the JWT guard is off and METRICS_TOKEN guards it instead (see metricsAccess).
 */
@ApiTags('metrics')
@Public()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  @Get()
  @RateLimit({ exempt: true })
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'With METRICS_TOKEN set, needs `Authorization: Bearer <METRICS_TOKEN>`. Without it the route is open outside production and off (404) in production. Families: docs/observability.md.',
  })
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors('UNAUTHORIZED', 'RESOURCE_NOT_FOUND')
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const access = metricsAccess(this.config, authorization);
    if (access === 'off') throw new NotFoundError();
    if (access === 'unauthorized') {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedError('A valid metrics token is required');
    }
    const body = await this.metrics.render();
    void reply.header('content-type', this.metrics.contentType);
    return body;
  }
}
