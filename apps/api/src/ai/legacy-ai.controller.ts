import { All, Controller, Param, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GoneError, NotFoundError } from '@jewelshot/platform';
import { Public } from '../common/public.decorator';

const GONE = new Set(['generate', 'edit', 'submit']);

/**
 * The old system's direct provider calls skipped credits, the queue, rate limits and the audit
 * trail. They are gone: the queue is the only way to a provider.
 */
@ApiExcludeController()
@Public()
@Controller({ path: 'api/ai', version: VERSION_NEUTRAL })
export class LegacyAiController {
  @All(':action')
  gone(@Param('action') action: string): never {
    if (!GONE.has(action)) throw new NotFoundError();
    throw new GoneError(`/api/ai/${action} was removed; submit jobs to /v1/ai/jobs`, '/v1/ai/jobs');
  }
}
