import type { UserRole, UserStatus } from '../entities/user.entity';

/** Who is calling, as the database says now (give or take USER_STATUS_CACHE_MS). */
export interface Principal {
  userId: string;
  /** The session of an access token; null for an API key. */
  sessionId: string | null;
  email: string;
  role: UserRole;
  status: UserStatus;
  sessionOpen: boolean;
  /** How the caller authenticated: a session's access token holds every scope, a key only its own. */
  via: PrincipalVia;
}

export type PrincipalVia =
  | { kind: 'session' }
  | { kind: 'api-key'; apiKeyId: string; publicId: string; scopes: readonly string[] };
