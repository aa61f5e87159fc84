import { SetMetadata } from '@nestjs/common';

export const AUTH_RATE_LIMIT = 'jewelshot:auth-rate-limit';

/** Credential endpoints get the stricter AUTH_RATE_LIMIT_MAX per window. */
export const AuthRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(AUTH_RATE_LIMIT, true);
