import { All, Controller, Param, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GoneError, NotFoundError } from '@jewelshot/platform';
import { Public } from '../common/public.decorator';

/**
 * Where each endpoint of the old system went. Its direct provider calls skipped credits, the
 * queue, rate limits and the audit trail, and its second credit system was not atomic: both are
 * gone for good, and answer 410 with the replacement.
 */
const REPLACEMENTS: Record<string, string> = {
  'ai/generate': '/v1/ai/jobs',
  'ai/edit': '/v1/ai/jobs',
  'ai/submit': '/v1/ai/jobs',
  'credits/use': '/v1/ai/jobs',
  'credits/check': '/v1/credits/balance',
  'credits/refund': '/v1/ai/jobs/{id}/cancel',
  'credits/add': '/v1/admin/users/{userId}/credits',
};

@ApiExcludeController()
@Public()
@Controller({ path: 'api', version: VERSION_NEUTRAL })
export class LegacyController {
  @All(':area/:action')
  gone(@Param('area') area: string, @Param('action') action: string): never {
    const old = `${area}/${action}`;
    const migrateTo = Object.hasOwn(REPLACEMENTS, old) ? REPLACEMENTS[old] : undefined;
    if (!migrateTo) throw new NotFoundError();
    throw new GoneError(`/api/${old} was removed; use ${migrateTo}`, migrateTo);
  }
}
