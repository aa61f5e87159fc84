import { All, Controller, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NotFoundError } from '@jewelshot/platform';
import { Public } from './public.decorator';

/**
 * Unknown routes, as a route of their own (Fastify tries a wildcard last), so that they pass
 * through the same guards as every other request: rate-limited and with the rate-limit headers.
 */
@ApiExcludeController()
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class NotFoundController {
  @All('*')
  notFound(): never {
    throw new NotFoundError();
  }
}
