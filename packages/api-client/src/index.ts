export { createApi, unwrap, type Api, type ApiOptions } from './client.js';
export { ApiKeyCredential, createAuthFetch, type BearerCredential } from './auth-fetch.js';
export {
  ApiError,
  NetworkError,
  toApiError,
  type ErrorBody,
  type ErrorCode,
  type ErrorDetails,
  type FieldError,
} from './errors.js';
export { isTerminal, type Job, type JobStreamHandlers } from './job-events.js';
export {
  BodyRefreshStrategy,
  CookieRefreshStrategy,
  type AuthResponse,
  type RefreshLocks,
  type RefreshStrategy,
} from './refresh-strategy.js';
export { Session, type SessionState, type SessionUser } from './session.js';
export { multipartBody, type UploadedFile } from './upload.js';
export type { components, paths } from './schema.js';

import type { components } from './schema.js';
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
