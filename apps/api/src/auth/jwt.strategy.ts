import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Inject } from '@nestjs/common';
import {
  AccountBannedError,
  acceptableClaims,
  PrincipalService,
  SessionEndedError,
  type Principal,
} from '@jewelshot/identity';
import { UnauthorizedError } from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';

/** Verifies the bearer JWT, then asks the database (through a short cache) who the caller is now. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly principals: PrincipalService,
  ) {
    // A prepared KeyObject: given a string, jsonwebtoken re-derives a key on every request,
    // which was a quarter of the CPU of an authenticated request. The typings only know
    // string | Buffer, but jsonwebtoken takes a KeyObject as it is.
    const key = createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (
        _request: unknown,
        _token: unknown,
        done: (error: null, key: Buffer) => void,
      ) => done(null, key as unknown as Buffer),
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: unknown): Promise<Principal> {
    // jsonwebtoken accepts a token without `exp`; our rules (exp present, lifetime capped) do not.
    if (!acceptableClaims(claims, this.config.JWT_ACCESS_TTL_SECONDS))
      throw new UnauthorizedError();
    const principal = await this.principals.resolve(claims.sub, claims.sid);
    if (!principal) throw new UnauthorizedError();
    if (principal.status === 'banned') throw new AccountBannedError();
    if (!principal.sessionOpen) throw new SessionEndedError();
    return principal;
  }
}
