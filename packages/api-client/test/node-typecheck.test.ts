import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('node-consumer/tsconfig.json', import.meta.url));

describe('the client in a Node project', () => {
  it('compiles with strict, moduleResolution NodeNext and no DOM lib (node-consumer/)', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', project], (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number | null) : 0, output: stdout + stderr }),
      );
    });
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);
});
