/**
 * Identity's public face: its module and entities, config, errors, and the services the apps
 * and higher libs call (test/integration/public-faces.spec.ts snapshots it).
 */
export { IDENTITY_ENTITIES, IdentityModule } from './identity.module';
export { IDENTITY_CONFIG, identityConfig } from './identity.config';
export type { IdentityConfig } from './identity.config';
export {
  AccountBannedError,
  ApiKeyNotAllowedError,
  ApiKeyNotFoundError,
  CommonPasswordError,
  EmailTakenError,
  EmailTooLongError,
  IDENTITY_ERROR_CODES,
  InvalidCredentialsError,
  InsufficientScopeError,
  InvalidRefreshTokenError,
  LoginBusyError,
  LoginLockedError,
  SessionEndedError,
  TooManyApiKeysError,
  WrongPasswordError,
} from './identity.errors';
export { EMAIL_MAX_LENGTH, EMAIL_PATTERN, normalizeEmail } from './email-address';
export { isCommonPassword } from './common-passwords';
export { PRIORITY_TIERS, User, USER_ROLES, USER_STATUSES } from './entities/user.entity';
export type { PriorityTier, UserRole, UserStatus } from './entities/user.entity';
export { acceptableClaims, AccessTokensService } from './services/access-tokens.service';
export type { AccessTokenCheck, VerifiedAccessClaims } from './services/access-tokens.service';
export { AccountMail } from './services/account-mail.service';
export { AuthService } from './services/auth.service';
export type { AuthResult } from './services/auth.service';
export { PrincipalService, sessionIdOf } from './services/principal.service';
export type { Principal, PrincipalVia } from './services/principal.service';
export { UsersService } from './services/users.service';
export type { UserPage, UserProfile, UserSearch } from './services/users.service';
export { SessionsService } from './services/sessions.service';
export { IdentityRetention } from './services/identity-retention';
export type { IdentityPruned } from './services/identity-retention';
export { Session } from './entities/session.entity';
export { EmailVerified } from './events/email-verified';
export { UserLoggedIn } from './events/user-logged-in';
export { UserRegistered } from './events/user-registered';
export { API_KEY_PREFIX, parseApiKey } from './api-keys/api-key-token';
export { ApiKeyPrincipals } from './api-keys/api-key-principals.service';
export { ApiKeysService } from './api-keys/api-keys.service';
export type { ApiKeyView, NewApiKey } from './api-keys/api-keys.service';
export type { ClientInfo } from './client-info';
