import { link, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AUDIT_CONFIG, type AuditConfig } from './audit.config';

/** The chain's head at one moment, kept outside the database. */
export interface Anchor {
  seq: number;
  hash: string;
  anchoredAt: string;
}

const FILE = /^audit-head-(\d{4}-\d{2}-\d{2})\.json$/;

/**
 * Daily anchors of the chain's head in AUDIT_ANCHOR_DIR, one file per day
 * (`audit-head-YYYY-MM-DD.json`), never overwritten: a system other than the database keeps
 * them, so even a consistent rewrite of the whole chain no longer matches.
 */
@Injectable()
export class AuditAnchors {
  private readonly logger = new Logger(AuditAnchors.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  get enabled(): boolean {
    return this.config.AUDIT_ANCHOR_DIR !== '';
  }

  /**
   * Writes today's anchor if there is a chain and none was written today; returns it, or null.
   * The directory is made on the schedule's first run (the first start of the first worker with
   * anchoring on), chain or not: from then on a directory that is not there is one that was
   * lost, or a wrong path (`directoryMissing`).
   */
  async anchor(now = new Date()): Promise<Anchor | null> {
    if (!this.enabled) return null;
    const dir = this.config.AUDIT_ANCHOR_DIR;
    await mkdir(dir, { recursive: true });
    const [head] = (await this.txHost.tx.query(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    )) as Array<{ seq: string; hash: string }>;
    if (!head) return null;
    const file = join(dir, `audit-head-${now.toISOString().slice(0, 10)}.json`);
    const anchor: Anchor = {
      seq: Number(head.seq),
      hash: head.hash,
      anchoredAt: now.toISOString(),
    };
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(anchor)}\n`);
    try {
      // link() fails if the file exists: a day's anchor is written whole, once; a second
      // worker (or a rerun) leaves it as it is.
      await link(temp, file);
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST') return null;
      throw error;
    } finally {
      await unlink(temp);
    }
    this.logger.log(`audit head anchored: seq ${anchor.seq}`);
    return anchor;
  }

  /** Anchoring is on and its directory does not exist. */
  async directoryMissing(): Promise<boolean> {
    if (!this.enabled) return false;
    try {
      await stat(this.config.AUDIT_ANCHOR_DIR);
      return false;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return true;
      throw error;
    }
  }

  /** Every anchor in the directory, oldest first (none when anchoring is off). */
  async read(): Promise<Anchor[]> {
    if (!this.enabled) return [];
    let names: string[];
    try {
      names = await readdir(this.config.AUDIT_ANCHOR_DIR);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    const anchors: Anchor[] = [];
    for (const name of names.filter((n) => FILE.test(n)).sort()) {
      const parsed = JSON.parse(
        await readFile(join(this.config.AUDIT_ANCHOR_DIR, name), 'utf8'),
      ) as Anchor;
      anchors.push({
        seq: Number(parsed.seq),
        hash: String(parsed.hash),
        anchoredAt: String(parsed.anchoredAt),
      });
    }
    return anchors;
  }
}
