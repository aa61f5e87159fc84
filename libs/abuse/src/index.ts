/**
 * Abuse's public face: its module and entities, config, errors, the flags the admin lib
 * reads and resolves, and the scoring (the bench drives it) (test/integration/public-faces.spec.ts
 * snapshots it).
 */
export { ABUSE_ENTITIES, AbuseModule } from './abuse.module';
export { ABUSE_CONFIG, abuseConfig } from './abuse.config';
export type { AbuseConfig } from './abuse.config';
export { ABUSE_ERROR_CODES, FlagNotFoundError, FlagResolvedError } from './abuse.errors';
export { AbuseFlag, FLAG_RESOLUTIONS, FLAG_STATUSES } from './entities/abuse-flag.entity';
export type { FlagResolution, FlagStatus } from './entities/abuse-flag.entity';
export { AbuseFlags } from './services/abuse-flags.service';
export type { FlagPage, FlagResolved } from './services/abuse-flags.service';
export { AbuseScoring } from './services/abuse-scoring.service';
export type { Observation, UserScore } from './services/abuse-scoring.service';
export { SIGNALS } from './signals';
export type { SignalName, SignalReading } from './signals';
