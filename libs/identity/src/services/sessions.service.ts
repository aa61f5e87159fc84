import { Inject, Injectable } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, Not } from 'typeorm';
import { isUuid, RowScope } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { RefreshToken } from '../entities/refresh-token.entity';
import { Session } from '../entities/session.entity';
import { User } from '../entities/user.entity';
import { InvalidRefreshTokenError } from '../identity.errors';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface AccessClaims {
  sub: string;
  sid: string;
  role: string;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Sessions, access tokens (JWT) and rotating refresh tokens. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly jwt: JwtService,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly scope: RowScope,
  ) {}

  private get sessions() {
    return this.txHost.tx.getRepository(Session);
  }

  private get tokens() {
    return this.txHost.tx.getRepository(RefreshToken);
  }

  /** Opens a new session for the user and returns its first token pair. */
  async open(user: User): Promise<TokenPair> {
    const session = await this.sessions.save(this.sessions.create({ userId: user.id }));
    return this.issue(user, session.id);
  }

  /**
   * Exchanges a refresh token for a new pair. A token that was already rotated means it
   * leaked (or a client raced itself): the whole session is revoked and nothing is issued.
   * Sessions are row-scoped and only the session says whose it is: that one lookup, by the id
   * of a token whose secret matched, sees all users; the revocation is scoped to the owner.
   */
  async rotate(
    presented: string,
    loadUser: (userId: string) => Promise<User>,
  ): Promise<{ user: User; tokens: TokenPair }> {
    const [id, secret] = presented.split('.', 2);
    if (!id || !secret || !isUuid(id)) throw new InvalidRefreshTokenError();
    const token = await this.tokens
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.id = :id', { id })
      .getOne();
    if (!token || !sameHash(token.tokenHash, sha256(secret))) throw new InvalidRefreshTokenError();
    const session = await this.scope.allUsers(() =>
      this.sessions.findOneBy({ id: token.sessionId }),
    );
    if (!session || session.revokedAt) throw new InvalidRefreshTokenError();
    if (token.rotatedAt) {
      // Commit the revocation on its own: the error below rolls back the caller's transaction.
      await this.scope.run(session.userId, () => this.revoke(session.id, 'token_reuse'), {
        propagation: Propagation.RequiresNew,
      });
      throw new InvalidRefreshTokenError();
    }
    if (token.expiresAt.getTime() <= Date.now()) throw new InvalidRefreshTokenError();
    const user = await loadUser(session.userId);
    await this.tokens.update({ id: token.id }, { rotatedAt: new Date() });
    return { user, tokens: await this.issue(user, session.id) };
  }

  async revoke(sessionId: string, reason: string): Promise<void> {
    await this.sessions.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  /** Revokes every open session of the user; returns how many were open. */
  async revokeAll(userId: string, reason: string): Promise<number> {
    const result = await this.sessions.update(
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
    return result.affected ?? 0;
  }

  /** The user's open sessions, newest first. */
  openOf(userId: string, limit = 50): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }

  /** Revokes every open session of the user except `keep`. */
  async revokeOthers(userId: string, keep: string, reason: string): Promise<void> {
    await this.sessions.update(
      { userId, id: Not(keep), revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  private async issue(user: User, sessionId: string): Promise<TokenPair> {
    const secret = randomBytes(32).toString('base64url');
    const token = await this.tokens.save(
      this.tokens.create({
        sessionId,
        tokenHash: sha256(secret),
        expiresAt: new Date(Date.now() + this.config.JWT_REFRESH_TTL_SECONDS * 1000),
        rotatedAt: null,
      }),
    );
    const claims: AccessClaims = { sub: user.id, sid: sessionId, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, {
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      algorithm: 'HS256',
    });
    return {
      accessToken,
      refreshToken: `${token.id}.${secret}`,
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
    };
  }
}
