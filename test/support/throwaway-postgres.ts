import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrationDataSource } from '../../migrations/data-source';
import { freePort } from './free-port';

const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

function uidGid(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  return { uid, gid };
}

/**
 * A PostgreSQL cluster of a test's own (initdb in a temp dir, its own port, run as the
 * non-root `postgres` user), so that a test may stop and start it. Never the shared one.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/jewelshot`;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'jewelshot-pg-'));
    const { uid, gid } = uidGid('postgres');
    chmodSync(dir, 0o700);
    chownSync(dir, uid, gid);
    const cluster = new ThrowawayPostgres(dir, await freePort());
    cluster.asPostgres(join(PG_BIN, 'initdb'), [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    cluster.start();
    const admin = new Client({
      connectionString: `postgres://postgres@127.0.0.1:${cluster.port}/postgres`,
    });
    await admin.connect();
    await admin.query('CREATE DATABASE jewelshot');
    await admin.end();
    const dataSource = await migrationDataSource(cluster.url).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
    return cluster;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private asPostgres(command: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' });
  }

  start(): void {
    this.asPostgres(join(PG_BIN, 'pg_ctl'), [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`,
      '-w',
      'start',
    ]);
  }

  /**
   * SIGSTOP to the server and every backend: connections stay open and nothing answers (a hung
   * server, not a stopped one); resume() ends it.
   */
  pause(): void {
    this.signal('STOP');
  }

  resume(): void {
    this.signal('CONT');
  }

  private signal(name: 'STOP' | 'CONT'): void {
    const postmaster = readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    if (!postmaster) throw new Error('no postmaster.pid');
    // The backends first when stopping (none forks a new one meanwhile), the server first when
    // going on.
    const children = (): void => {
      execFileSync('pkill', [`-${name}`, '-P', postmaster.trim()], { stdio: 'ignore' });
    };
    if (name === 'STOP') children();
    process.kill(Number(postmaster), `SIG${name}`);
    if (name === 'CONT') children();
  }

  stop(): void {
    this.asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /** Stops the cluster if it runs and deletes its files. */
  destroy(): void {
    try {
      this.resume();
    } catch {
      // not running
    }
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
