import sharp from 'sharp';

let configured = false;

/**
 * Keeps sharp's (libvips') operation cache small, once per process: by default it holds up to
 * 50 MB and 100 operations of decoded images, memory a long-running API never gets back.
 */
export function limitSharpMemory(): void {
  if (configured) return;
  configured = true;
  sharp.cache({ memory: 16, files: 0, items: 16 });
}
