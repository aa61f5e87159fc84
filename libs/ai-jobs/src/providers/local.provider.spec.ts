import sharp from 'sharp';
import { ProviderError } from '../ai-jobs.errors';
import type { AiProvider } from './ai-provider';
import { LocalProvider } from './local.provider';

const hooks = { resumeRequestId: null, onSubmitted: async () => undefined };
const signal = () => new AbortController().signal;

describe('local provider', () => {
  it('renders real images, the same bytes for the same params', async () => {
    const provider: AiProvider = new LocalProvider({ latencyMs: 0, failureRate: 0 });
    const input = {
      jobId: 'a',
      operation: 'generate' as const,
      params: { prompt: 'ring', numImages: 2, aspectRatio: '16:9' },
    };
    const first = await provider.run(input, signal(), hooks);
    const again = await provider.run({ ...input, jobId: 'b' }, signal(), hooks);
    expect(first).toHaveLength(2);
    expect(
      first.map((i) => i.data.equals(again[first.indexOf(i)]?.data ?? Buffer.alloc(0))),
    ).toEqual([true, true]);
    expect(first[0]?.data.equals(first[1]?.data ?? Buffer.alloc(0))).toBe(false);
    expect(await sharp(first[0]?.data).metadata()).toMatchObject({
      width: 768,
      height: 432,
      format: 'png',
    });
    const other = await provider.run(
      { ...input, params: { ...input.params, prompt: 'necklace' } },
      signal(),
      hooks,
    );
    expect(other[0]?.data.equals(first[0]?.data ?? Buffer.alloc(0))).toBe(false);
  });

  it('edits, removes backgrounds and upscales an input image', async () => {
    const provider: AiProvider = new LocalProvider({ latencyMs: 0, failureRate: 0 });
    const png = await sharp({
      create: { width: 40, height: 30, channels: 3, background: { r: 255, g: 255, b: 255 } },
    })
      .composite([
        {
          input: {
            create: { width: 10, height: 10, channels: 3, background: { r: 200, g: 150, b: 20 } },
          },
          left: 15,
          top: 10,
        },
      ])
      .png()
      .toBuffer();
    const image = { url: 'unused', read: async () => png };
    const [upscaled] = await provider.run(
      { jobId: 'u', operation: 'upscale', params: { scale: 4 }, image },
      signal(),
      hooks,
    );
    expect(await sharp(upscaled?.data).metadata()).toMatchObject({ width: 160, height: 120 });
    const [cutout] = await provider.run(
      { jobId: 'r', operation: 'remove-background', params: {}, image },
      signal(),
      hooks,
    );
    const { data, info } = await sharp(cutout?.data).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0); // the white corner is transparent
    const centre = (15 * info.width + 20) * 4 + 3;
    expect(data[centre]).toBe(255); // the piece is not
    const [edited] = await provider.run(
      { jobId: 'e', operation: 'edit', params: { prompt: 'warmer' }, image },
      signal(),
      hooks,
    );
    expect((await sharp(edited?.data).metadata()).width).toBe(40);
  });

  it('fails at its configured rate, retryably, and stops at once when aborted', async () => {
    const failing: AiProvider = new LocalProvider({ latencyMs: 0, failureRate: 1 });
    await expect(
      failing.run({ jobId: 'f', operation: 'generate', params: { prompt: 'x' } }, signal(), hooks),
    ).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      retryable: true,
    });
    const slow: AiProvider = new LocalProvider({ latencyMs: 10_000, failureRate: 0 });
    const controller = new AbortController();
    const started = Date.now();
    const run = slow.run(
      { jobId: 's', operation: 'generate', params: { prompt: 'x' } },
      controller.signal,
      hooks,
    );
    controller.abort(new ProviderError('CANCELED', 'The job was canceled', false));
    await expect(run).rejects.toMatchObject({ code: 'CANCELED' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
