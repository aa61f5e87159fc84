import type { Operation } from '../jobs/ai-job.entity';

export interface ProviderInput {
  jobId: string;
  operation: Operation;
  params: Record<string, unknown>;
  /** The input image, for operations that take one. */
  image?: { url: string; read: () => Promise<Buffer> };
}

export interface ProviderHooks {
  /** The provider's request id of an earlier attempt: resume it instead of paying again. */
  resumeRequestId: string | null;
  /** Called the moment the provider accepted the request, before waiting for it. */
  onSubmitted(requestId: string): Promise<void>;
}

export interface ProviderImage {
  data: Buffer;
}

/**
 * An AI model provider. Every call honours the abort signal (timeouts, cancellation) and
 * throws ProviderError with a message fit for the job's owner.
 */
export interface AiProvider {
  readonly name: 'local' | 'fal';
  run(input: ProviderInput, signal: AbortSignal, hooks: ProviderHooks): Promise<ProviderImage[]>;
}

export const AI_PROVIDER = Symbol('AI_PROVIDER');

/** Resolves after `ms`, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
