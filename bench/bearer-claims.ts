/**
 * The API's token check, by hand, for the benches' plain servers (bare-server.ts, floor-server.ts):
 * the same HS256 JWT verified with the same jsonwebtoken through @nestjs/jwt and a prepared key,
 * and the same claim checks (acceptableClaims).
 */
import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { acceptableClaims } from '@jewelshot/identity';

const BEARER = /^Bearer\s+(\S+)$/i;

/** A verifier for `Authorization` headers: the token's subject, or null when it is refused. */
export function bearerVerifier(
  secret: string,
  ttlSeconds: number,
): (authorization: string | undefined) => string | null {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const jwt = new JwtService();
  return (authorization) => {
    let claims: unknown;
    try {
      const token = BEARER.exec(authorization ?? '')?.[1] ?? '';
      claims = jwt.verify(token, { secret: key as unknown as Buffer, algorithms: ['HS256'] });
    } catch {
      claims = null;
    }
    return acceptableClaims(claims, ttlSeconds) ? claims.sub : null;
  };
}
