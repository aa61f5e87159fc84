import { ErrorCode } from './error-code';

/** The one shape of every non-2xx response body. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  requestId: string;
  details?: unknown;
  [extra: string]: unknown;
}
