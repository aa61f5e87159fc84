import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BackupError } from './backup.errors';

/**
 * pg_dump and pg_restore from PATH: their major version must be at least the server's (the
 * manifest records both).
 */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  return name;
}

/**
 * Runs a PostgreSQL client tool. The connection goes in the environment (PG* variables), never
 * on the command line where `ps` would show a password.
 */
export function runTool(
  command: string,
  args: string[],
  databaseUrl: string | null,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...extraEnv, ...(databaseUrl ? pgEnv(databaseUrl) : {}) };
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) =>
      reject(new BackupError('RESTORE_TOOL_FAILED', `${command}: ${error.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new BackupError(
            'RESTORE_TOOL_FAILED',
            `${command} exited with ${code}: ${stderr.trim().slice(-2000)}`,
          ),
        );
    });
  });
}

/** libpq's environment for a postgres:// URL. */
export function pgEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = {
    PGHOST: decodeURIComponent(url.hostname) || 'localhost',
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username) || undefined,
    PGDATABASE: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

export async function toolVersion(command: string): Promise<string> {
  return (await runTool(command, ['--version'], null)).trim();
}

/** SHA-256 (hex) and size of a file, streamed. */
export function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(path)
      .on('data', (chunk: string | Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: hash.digest('hex'), bytes }));
  });
}
