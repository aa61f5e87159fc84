import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@jewelshot/audit';
import { EmailModule } from '@jewelshot/email';
import { declareEvents, EventsModule } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from './identity.config';
import { EmailVerified } from './events/email-verified';
import { UserLoggedIn } from './events/user-logged-in';
import { UserRegistered } from './events/user-registered';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { User } from './entities/user.entity';
import { UserToken } from './entities/user-token.entity';
import { ApiKey } from './api-keys/api-key.entity';
import { ApiKeyPrincipals } from './api-keys/api-key-principals.service';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AccountMail } from './services/account-mail.service';
import { IdentityRetention } from './services/identity-retention';
import { UserTokens } from './services/user-tokens.service';
import { AccessTokensService } from './services/access-tokens.service';
import { AuthService } from './services/auth.service';
import { LoginLockout } from './services/login-lockout.service';
import { PasswordHasher } from './services/password-hasher';
import { PrincipalService } from './services/principal.service';
import { SessionsService } from './services/sessions.service';
import { UsersService } from './services/users.service';

export const IDENTITY_ENTITIES = [User, Session, RefreshToken, UserToken, ApiKey];

@Module({
  imports: [
    TypeOrmModule.forFeature(IDENTITY_ENTITIES),
    EventsModule,
    EmailModule,
    AuditModule,
    JwtModule.registerAsync({
      inject: [IDENTITY_CONFIG],
      useFactory: (config: IdentityConfig) => ({ secret: config.JWT_SECRET }),
    }),
  ],
  providers: [
    AccessTokensService,
    AuthService,
    LoginLockout,
    UsersService,
    SessionsService,
    PasswordHasher,
    PrincipalService,
    AccountMail,
    UserTokens,
    IdentityRetention,
    ApiKeysService,
    ApiKeyPrincipals,
    declareEvents([UserRegistered, UserLoggedIn, EmailVerified]),
  ],
  exports: [
    AccessTokensService,
    AuthService,
    AccountMail,
    UsersService,
    SessionsService,
    PrincipalService,
    ApiKeysService,
    ApiKeyPrincipals,
    IdentityRetention,
  ],
})
export class IdentityModule {}
