/**
 * Where a request came from, as the API saw it: the client's address (TRUSTED_PROXIES-aware)
 * and the SPA's `X-Device-Id` (a random id it keeps in local storage; integrators send none).
 * Carried into the identity events for the abuse signals; never shown to anyone but admins.
 */
export interface ClientInfo {
  address: string | null;
  deviceId: string | null;
}

export const NO_CLIENT_INFO: ClientInfo = { address: null, deviceId: null };
