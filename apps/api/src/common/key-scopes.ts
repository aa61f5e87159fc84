import { InsufficientScopeError, type Principal } from '@jewelshot/identity';
import type { ApiKeyScope } from './scopes.decorator';

/** Whether the caller holds `scope`: a session holds every one, an API key those it was given. */
export function holdsScope(principal: Principal, scope: ApiKeyScope): boolean {
  return principal.via.kind === 'session' || principal.via.scopes.includes(scope);
}

/** Refuses (403 INSUFFICIENT_SCOPE, naming the first missing) a caller without all of `scopes`. */
export function requireScopes(principal: Principal, scopes: readonly ApiKeyScope[]): void {
  const missing = scopes.find((scope) => !holdsScope(principal, scope));
  if (missing !== undefined) throw new InsufficientScopeError(missing);
}
