import { ApiError, createFalClient, type FalClient } from '@fal-ai/client';
import { ProviderError } from '../ai-jobs.errors';
import type { Operation } from '../jobs/ai-job.entity';
import { AiProvider, ProviderHooks, ProviderImage, ProviderInput, sleep } from './ai-provider';

export interface FalSettings {
  key: string;
  models: Record<Operation, string>;
  pollIntervalMs: number;
  timeoutMs: number;
  /** Sends queue requests here instead of https://queue.fal.run (a proxy, or the tests' fake). */
  queueBaseUrl?: string;
}

const FAL_QUEUE_ORIGIN = 'https://queue.fal.run';
const MAX_OUTPUT_BYTES = 50 * 1024 * 1024;

const IMAGE_SIZES: Record<string, string> = {
  '1:1': 'square_hd',
  '4:3': 'landscape_4_3',
  '3:4': 'portrait_4_3',
  '16:9': 'landscape_16_9',
  '9:16': 'portrait_16_9',
};

interface FalImage {
  url: string;
}

/**
 * fal.ai through its queue API: submit, poll status, fetch the result, cancel. The request id is
 * handed to `onSubmitted` before any waiting, so a retry after a crash resumes the same request
 * instead of paying for a second one.
 */
export class FalProvider implements AiProvider {
  readonly name = 'fal' as const;
  private readonly fal: FalClient;

  constructor(private readonly settings: FalSettings) {
    const base = settings.queueBaseUrl?.replace(/\/$/, '');
    this.fal = createFalClient({
      credentials: settings.key,
      suppressLocalCredentialsWarning: true,
      requestMiddleware: async (request) =>
        base && request.url.startsWith(FAL_QUEUE_ORIGIN)
          ? { ...request, url: base + request.url.slice(FAL_QUEUE_ORIGIN.length) }
          : request,
    });
  }

  private inputFor(input: ProviderInput): Record<string, unknown> {
    const p = input.params;
    switch (input.operation) {
      case 'generate':
        return {
          prompt: p.prompt,
          num_images: p.numImages ?? 1,
          image_size: IMAGE_SIZES[String(p.aspectRatio ?? '1:1')],
        };
      case 'edit':
        return { prompt: p.prompt, image_url: input.image?.url };
      case 'remove-background':
        return { image_url: input.image?.url };
      case 'upscale':
        return { image_url: input.image?.url, scale: p.scale ?? 2 };
    }
  }

  async run(
    input: ProviderInput,
    outer: AbortSignal,
    hooks: ProviderHooks,
  ): Promise<ProviderImage[]> {
    const model = this.settings.models[input.operation];
    const signal = AbortSignal.any([outer, AbortSignal.timeout(this.settings.timeoutMs)]);
    let requestId = hooks.resumeRequestId;
    try {
      if (!requestId) {
        const submitted = await this.fal.queue.submit(model, {
          input: this.inputFor(input),
          abortSignal: signal,
        });
        requestId = submitted.request_id;
        await hooks.onSubmitted(requestId);
      }
      for (;;) {
        const status = await this.fal.queue.status(model, { requestId, abortSignal: signal });
        if (status.status === 'COMPLETED') break;
        await sleep(this.settings.pollIntervalMs, signal);
      }
      const result = await this.fal.queue.result(model, { requestId, abortSignal: signal });
      const images = (
        (result.data as { images?: FalImage[]; image?: FalImage }).images ?? [
          (result.data as { image?: FalImage }).image,
        ]
      ).filter((image): image is FalImage => Boolean(image?.url));
      if (images.length === 0)
        throw new ProviderError('PROVIDER_ERROR', 'The model returned no image', true);
      return await Promise.all(images.map((image) => this.download(image.url, signal)));
    } catch (error) {
      if (signal.aborted && requestId) {
        // Stop paying for work nobody will use.
        await this.fal.queue.cancel(model, { requestId }).catch(() => undefined);
      }
      throw this.translate(error, outer, signal);
    }
  }

  private async download(url: string, signal: AbortSignal): Promise<ProviderImage> {
    const response = await fetch(url, { signal });
    if (!response.ok)
      throw new ProviderError('PROVIDER_ERROR', 'The generated image could not be fetched', true);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_OUTPUT_BYTES)
      throw new ProviderError('PROVIDER_ERROR', 'The generated image is too large', false);
    const data = Buffer.from(await response.arrayBuffer());
    if (data.length > MAX_OUTPUT_BYTES)
      throw new ProviderError('PROVIDER_ERROR', 'The generated image is too large', false);
    return { data };
  }

  private translate(error: unknown, outer: AbortSignal, signal: AbortSignal): ProviderError {
    if (error instanceof ProviderError) return error;
    if (outer.aborted) return new ProviderError('CANCELED', 'The job was canceled', false);
    if (signal.aborted)
      return new ProviderError(
        'PROVIDER_TIMEOUT',
        'The model provider did not answer in time',
        true,
      );
    if (error instanceof ApiError) {
      const status = error.status;
      if (status === 422 || status === 400) {
        return new ProviderError('INVALID_INPUT', 'The model provider rejected the input', false);
      }
      return new ProviderError(
        'PROVIDER_ERROR',
        'The model provider failed to process the request',
        status >= 500 || status === 429,
      );
    }
    return new ProviderError('PROVIDER_ERROR', 'The model provider could not be reached', true);
  }
}
