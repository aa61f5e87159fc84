import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/**
 * A pino destination that keeps every line the real logger writes, parsed, so a test can
 * assert on what production would have printed.
 */
export class CapturedLog extends Writable {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    for (const text of chunk.toString().split('\n')) {
      if (!text.trim()) continue;
      this.raw.push(text);
      try {
        this.lines.push(JSON.parse(text) as LogLine);
      } catch {
        // not JSON: kept in raw only
      }
    }
    done();
  }

  /** Lines matching the predicate, waiting briefly for ones still on their way. */
  async waitFor(predicate: (line: LogLine) => boolean, timeoutMs = 3000): Promise<LogLine[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.filter(predicate);
      if (found.length > 0 || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
