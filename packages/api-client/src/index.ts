export { createApi, unwrap, type Api, type ApiOptions } from './client';
export { createAuthFetch } from './auth-fetch';
export {
  ApiError,
  NetworkError,
  toApiError,
  type ErrorBody,
  type ErrorCode,
  type FieldError,
} from './errors';
export { isTerminal, type Job, type JobStreamHandlers } from './job-events';
export {
  BodyRefreshStrategy,
  CookieRefreshStrategy,
  type AuthResponse,
  type RefreshLocks,
  type RefreshStrategy,
} from './refresh-strategy';
export { Session, type SessionState, type SessionUser } from './session';
export type { UploadedFile } from './upload';
export type { components, paths } from './schema';

import type { components } from './schema';
type Schemas = components['schemas'];
export type Operation = Schemas['JobDto']['operation'];
export type Batch = Schemas['BatchDto'];
export type BatchSummary = Schemas['BatchSummaryDto'];
export type Balance = Schemas['BalanceDto'];
export type Price = Schemas['PriceDto'];
export type LedgerEntry = Schemas['EntryDto'];
export type User = Schemas['UserDto'];
export type Hold = Schemas['HoldDto'];
export type JobErrorCode = Schemas['JobErrorDto']['code'];
