/**
 * The admin module's public face: its module, config, errors, and the use cases the API's
 * admin controllers call (test/integration/public-faces.spec.ts snapshots it).
 */
export { AdminModule } from './admin.module';
export { ADMIN_CONFIG, adminConfig } from './admin.config';
export type { AdminConfig } from './admin.config';
export { ADMIN_ERROR_CODES, LastAdminError, SelfActionError } from './admin.errors';
export { AdminActions } from './admin-actions';
export type { AdminAction, AdminChange } from './admin-actions';
export { AdminDenials } from './admin-denials';
export { AdminReads } from './admin-reads';
export type { AdminSearch, ForeignRead } from './admin-reads';
export { AdminUsers } from './admin-users';
export type { BanResult, UserDetail } from './admin-users';
export { AdminCredits } from './admin-credits';
export { AdminJobs } from './admin-jobs';
export { AdminQueues } from './admin-queues';
export { AdminAbuse } from './admin-abuse';
export type { FlagView, FlagViewPage } from './admin-abuse';
export type { QueueStats } from './admin-queues';
