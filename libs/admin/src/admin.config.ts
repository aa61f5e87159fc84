import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { defineConfig, toInt, type PlatformConfig } from '@jewelshot/platform';

/** The admin module's variables. */
export class AdminVariables {
  /**
   * A non-admin calling admin routes leaves one `denied` audit event per this window (per
   * caller), however many calls it makes: the log stays a record, not a flood.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  ADMIN_DENIED_AUDIT_WINDOW_MS = 60_000;

  /**
   * An admin reading another user's job, batch, file or detail leaves one `support.read` audit
   * event per resource per this window: a page that polls it is one read on the record.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  ADMIN_READ_AUDIT_WINDOW_MS = 600_000;
}

export const adminConfig = defineConfig({ name: 'admin', variables: AdminVariables });

export type AdminConfig = Readonly<AdminVariables> & PlatformConfig;

export const ADMIN_CONFIG = adminConfig.token;
