import { All, Controller, Param, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GoneError, NotFoundError } from '@jewelshot/platform';
import { Public } from '../common/public.decorator';

/** Where each endpoint of the old, second credit system went. */
const REPLACEMENTS: Record<string, string> = {
  use: '/v1/ai/jobs',
  check: '/v1/credits/balance',
  refund: '/v1/ai/jobs/{id}/cancel',
  add: '/v1/admin/users/{userId}/credits',
};

/**
 * The old system's unversioned credit endpoints are gone for good: one credit system, the
 * ledger, reached only through /v1. They answer 410 with where to go instead.
 */
@ApiExcludeController()
@Public()
@Controller({ path: 'api/credits', version: VERSION_NEUTRAL })
export class LegacyCreditsController {
  @All(':action')
  gone(@Param('action') action: string): never {
    const migrateTo = REPLACEMENTS[action];
    if (!migrateTo) throw new NotFoundError();
    throw new GoneError(`/api/credits/${action} was removed; use ${migrateTo}`, migrateTo);
  }
}
