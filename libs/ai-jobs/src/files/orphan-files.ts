import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FILE_STORAGE, type FileStorage, type StoredObject } from './file-storage';

/** An object younger than this may still be waiting for its row (bytes are written first). */
export const ORPHAN_MIN_AGE_MS = 24 * 3600 * 1000;

const BATCH = 500;

/**
 * The shape of our keys: `<userId>/<fileId>.<ext>`, and the local driver's `.tmp` leftovers of
 * an interrupted write. Anything else in the store is not ours to delete.
 */
const OUR_KEY =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(?:png|jpg|webp)(?:\.[0-9a-f-]{36}\.tmp)?$/;

export interface OrphanSweepReport {
  scanned: number;
  deleted: number;
}

/**
 * Finds stored bytes no `files` row points at (a worker that died between writing an output and
 * its settle, a write interrupted half-way) and deletes them once they are older than a day.
 * Rows are looked up by the file id in the key (the primary key), never by scanning the table.
 */
@Injectable()
export class OrphanFiles {
  private readonly logger = new Logger(OrphanFiles.name);

  constructor(
    // A sweep on its own schedule, from storage to rows: there is never a caller's transaction.
    @InjectDataSource() private readonly outsideCallerTransaction: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
  ) {}

  async sweep(
    olderThan: Date = new Date(Date.now() - ORPHAN_MIN_AGE_MS),
  ): Promise<OrphanSweepReport> {
    const report: OrphanSweepReport = { scanned: 0, deleted: 0 };
    let batch: Array<StoredObject & { fileId: string }> = [];
    for await (const object of this.storage.list()) {
      report.scanned += 1;
      const match = OUR_KEY.exec(object.key);
      if (!match?.[1] || object.lastModified >= olderThan) continue;
      batch.push({ ...object, fileId: match[1] });
      if (batch.length >= BATCH) {
        report.deleted += await this.deleteOrphans(batch);
        batch = [];
      }
    }
    if (batch.length > 0) report.deleted += await this.deleteOrphans(batch);
    if (report.deleted > 0)
      this.logger.log(
        `orphan sweep: deleted ${report.deleted} of ${report.scanned} stored object(s)`,
      );
    return report;
  }

  private async deleteOrphans(
    candidates: Array<StoredObject & { fileId: string }>,
  ): Promise<number> {
    const rows = (await this.outsideCallerTransaction.query(
      `SELECT storage_key FROM files WHERE id = ANY($1::uuid[])`,
      [[...new Set(candidates.map((candidate) => candidate.fileId))]],
    )) as Array<{ storage_key: string }>;
    const kept = new Set(rows.map((row) => row.storage_key));
    let deleted = 0;
    for (const candidate of candidates) {
      if (kept.has(candidate.key)) continue;
      await this.storage.delete(candidate.key);
      deleted += 1;
    }
    return deleted;
  }
}
