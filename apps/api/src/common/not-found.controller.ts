import {
  Controller,
  Delete,
  Get,
  Inject,
  Patch,
  Post,
  Put,
  Req,
  Res,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { isClientRoute, webRootOf } from '../web/web-app';
import { Public } from './public.decorator';

/**
 * Unknown routes, as a route of their own (Fastify tries a wildcard last), so that they pass
 * through the same guards as every other request: rate-limited and with the rate-limit headers.
 * A browser's deep link into the SPA (`/jobs/…`) gets the SPA's `index.html`; everything else,
 * and anything under `/v1`, is the JSON 404. OPTIONS is left to CORS (its preflight route), and
 * other methods reach the framework's not-found handler, which answers the same JSON 404.
 */
@ApiExcludeController()
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class NotFoundController {
  private readonly webRoot: string | null;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.webRoot = webRootOf(config);
  }

  @Get('*')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (this.webRoot === null || !isClientRoute(request)) throw new NotFoundError();
    await reply.header('cache-control', 'no-cache').sendFile('index.html', this.webRoot);
  }

  @Post('*')
  post(): never {
    throw new NotFoundError();
  }

  @Put('*')
  put(): never {
    throw new NotFoundError();
  }

  @Patch('*')
  patch(): never {
    throw new NotFoundError();
  }

  @Delete('*')
  delete(): never {
    throw new NotFoundError();
  }
}
