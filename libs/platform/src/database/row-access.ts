/**
 * Who a process's connections may see in the user-owned tables (row-level security, see
 * migrations/*-RowSecurity.ts):
 * - `user-scoped` (the API): every connection runs as API_DB_ROLE, which cannot bypass the
 *   policy; a transaction sees the rows of the user RowScope set for it, and nothing otherwise.
 * - `all-users` (the worker, the CLI, the migrations): every connection carries
 *   `app.all_users = on`, because they settle, sweep, reconcile and verify everyone's rows.
 */
export type RowAccess = 'user-scoped' | 'all-users';

/** The API's database role (created by the RowSecurity migration; cluster-wide). */
export const API_DB_ROLE = 'jewelshot_api';

/**
 * The one place each kind of process gets its row access: pg startup options, applied by
 * the server to every new connection before the first query. `role` works whether
 * DATABASE_URL names a superuser (development, tests) or a login role that is a member of
 * API_DB_ROLE (production); a connection that cannot take the role fails at once.
 */
export function rowAccessStartupOptions(access: RowAccess): string {
  return access === 'user-scoped' ? `-c role=${API_DB_ROLE}` : '-c app.all_users=on';
}
