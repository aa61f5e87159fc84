import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { WorkQueue } from '@jewelshot/platform';
import { ProviderError } from '../ai-jobs.errors';
import { limitSharpMemory } from '../files/image-limits';
import { AiProvider, ProviderImage, ProviderInput, sleep } from './ai-provider';

export interface LocalProviderSettings {
  latencyMs: number;
  failureRate: number;
  random?: () => number;
  /** Largest input decoded (IMAGE_MAX_PIXELS). */
  maxPixels?: number;
  /** sharp operations at once (IMAGE_CONCURRENCY); jobs beyond wait (the worker's own concurrency bounds the line). */
  imageConcurrency?: number;
}

const SIZES: Record<string, [number, number]> = {
  '1:1': [512, 512],
  '4:3': [640, 480],
  '3:4': [480, 640],
  '16:9': [768, 432],
  '9:16': [432, 768],
};

function digest(...parts: unknown[]): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest();
}

/**
 * The embedded provider: real images rendered with sharp, the same bytes for the same params
 * and input, after LOCAL_PROVIDER_LATENCY_MS and failing (retryably) at
 * LOCAL_PROVIDER_FAILURE_RATE. Lets the whole system run and be tested with no key and no network.
 */
export class LocalProvider implements AiProvider {
  readonly name = 'local' as const;
  private readonly random: () => number;
  private readonly images: WorkQueue;
  private readonly maxPixels: number;

  constructor(private readonly settings: LocalProviderSettings) {
    this.random = settings.random ?? Math.random;
    this.images = new WorkQueue(
      'image processing',
      settings.imageConcurrency ?? 1,
      Number.MAX_SAFE_INTEGER,
    );
    this.maxPixels = settings.maxPixels ?? 50_000_000;
    limitSharpMemory();
  }

  /** An input image, decoded with the pixel limit. */
  private decode(image: Buffer): sharp.Sharp {
    return sharp(image, { limitInputPixels: this.maxPixels });
  }

  async run(input: ProviderInput, signal: AbortSignal): Promise<ProviderImage[]> {
    if (this.settings.latencyMs > 0) await sleep(this.settings.latencyMs, signal);
    if (this.random() < this.settings.failureRate) {
      throw new ProviderError(
        'PROVIDER_ERROR',
        'The model provider failed to process the request',
        true,
      );
    }
    switch (input.operation) {
      case 'generate':
        return this.generate(input.params);
      case 'edit': {
        const image = await this.imageOf(input);
        return [await this.images.run(() => this.edit(image, String(input.params.prompt ?? '')))];
      }
      case 'remove-background': {
        const image = await this.imageOf(input);
        return [await this.images.run(() => this.removeBackground(image))];
      }
      case 'upscale': {
        const image = await this.imageOf(input);
        return [await this.images.run(() => this.upscale(image, Number(input.params.scale ?? 2)))];
      }
    }
  }

  private async imageOf(input: ProviderInput): Promise<Buffer> {
    if (!input.image)
      throw new ProviderError('INVALID_INPUT', 'This operation needs an input image', false);
    return input.image.read();
  }

  private async generate(params: Record<string, unknown>): Promise<ProviderImage[]> {
    const [width, height] = SIZES[String(params.aspectRatio ?? '1:1')] ?? [512, 512];
    const count = Math.min(4, Math.max(1, Number(params.numImages ?? 1)));
    const images: ProviderImage[] = [];
    for (let i = 0; i < count; i += 1) {
      const h = digest(params.prompt, params.aspectRatio, i);
      const [r1, g1, b1, r2, g2, b2, cx, cy, radius] = h;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
        <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stop-color="rgb(${r1},${g1},${b1})"/><stop offset="1" stop-color="rgb(${r2},${g2},${b2})"/>
        </linearGradient></defs>
        <rect width="100%" height="100%" fill="url(#g)"/>
        <circle cx="${((cx ?? 128) / 255) * width}" cy="${((cy ?? 128) / 255) * height}" r="${20 + ((radius ?? 64) / 255) * (Math.min(width, height) / 3)}"
          fill="none" stroke="rgb(240,220,150)" stroke-width="${Math.max(6, width / 40)}"/>
      </svg>`;
      images.push({ data: await this.images.run(() => sharp(Buffer.from(svg)).png().toBuffer()) });
    }
    return images;
  }

  private async edit(image: Buffer, prompt: string): Promise<ProviderImage> {
    const [hue = 0, sat = 128] = digest(prompt);
    const data = await this.decode(image)
      .modulate({ hue: hue % 360, saturation: 0.6 + (sat / 255) * 0.8, brightness: 1.05 })
      .png()
      .toBuffer();
    return { data };
  }

  private async removeBackground(image: Buffer): Promise<ProviderImage> {
    // Near-white pixels become transparent: a studio backdrop, removed. (Raw buffers, because
    // sharp applies removeAlpha at the end of a pipeline, after any joinChannel.)
    const rgb = await this.decode(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { width, height } = rgb.info;
    const mask = await sharp(rgb.data, { raw: { width, height, channels: 3 } })
      .greyscale()
      .threshold(235)
      .negate()
      .raw()
      .toBuffer();
    const data = await sharp(rgb.data, { raw: { width, height, channels: 3 } })
      .joinChannel(mask, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
    return { data };
  }

  private async upscale(image: Buffer, scale: number): Promise<ProviderImage> {
    const { width = 1, height = 1 } = await this.decode(image).metadata();
    const factor = Math.min(scale, 4096 / Math.max(width, height));
    const data = await this.decode(image)
      .resize({
        width: Math.round(width * factor),
        height: Math.round(height * factor),
        kernel: 'lanczos3',
      })
      .png()
      .toBuffer();
    return { data };
  }
}
