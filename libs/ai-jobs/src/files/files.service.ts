import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { In } from 'typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '@jewelshot/identity';
import {
  DomainError,
  isUuid,
  loggableError,
  newestFirstPage,
  positionCursor,
  readPositionCursor,
  RowScope,
  ValidationError,
  WorkQueue,
  type Page,
} from '@jewelshot/platform';
import { AI_JOBS_CONFIG, type AiJobsConfig } from '../ai-jobs.config';
import {
  IdempotencyKeyReusedError,
  FileInUseError,
  FileNotFoundError,
  ImageTooLargeError,
  StorageQuotaExceededError,
  UnsupportedImageError,
} from '../ai-jobs.errors';
import { StoredFile, type FileKind } from './stored-file.entity';
import { limitSharpMemory } from './image-limits';
import { EXTENSIONS, sniffImageType, type ImageType } from './image-type';
import { FileSigner } from './file-signer';
import { FILE_STORAGE, StoredObjectNotFoundError, type FileStorage } from './file-storage';
import { IdempotencyService, type IdempotencyClaim } from '../idempotency/idempotency.service';
import { AiJob } from '../jobs/ai-job.entity';

export interface FileLink {
  url: string;
  expiresAt: Date;
}

export interface StorageUsage {
  usedBytes: number;
  quotaBytes: number;
}

/** The most blocking jobs a FILE_IN_USE refusal names. */
const IN_USE_JOBS_NAMED = 10;

/** Uploads and outputs: normalised images in storage, rows in `files`, short-lived links. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);
  private readonly signer: FileSigner;
  /** Decodes and encodes share libuv's pool with file reads: at most IMAGE_CONCURRENCY at once, IMAGE_QUEUE waiting, else 503. */
  private readonly images: WorkQueue;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(AI_JOBS_CONFIG) private readonly config: AiJobsConfig,
    private readonly scope: RowScope,
    // File links are signed with the token secret, which is identity's to configure.
    @Inject(IDENTITY_CONFIG) identity: IdentityConfig,
    private readonly idempotency: IdempotencyService,
  ) {
    this.signer = new FileSigner(identity.JWT_SECRET);
    this.images = new WorkQueue('image processing', config.IMAGE_CONCURRENCY, config.IMAGE_QUEUE);
    limitSharpMemory();
  }

  /**
   * Bytes of stored files the user keeps now (uploads and outputs). A deleted file's row is
   * gone with it, so it counts no more.
   */
  async storageUsed(userId: string): Promise<number> {
    // In the owner's row scope: outside it the API's role sees no file and the sum would be 0.
    return this.scope.run(userId, () => this.sumUsed(userId));
  }

  /** storageUsed inside the caller's row scope. */
  private async sumUsed(userId: string): Promise<number> {
    const row = await this.files
      .createQueryBuilder('f')
      .select('COALESCE(SUM(f.bytes), 0)', 'used')
      .where('f.userId = :userId', { userId })
      .getRawOne<{ used: string }>();
    return Number(row?.used ?? 0);
  }

  /**
   * Inside the insert's transaction: refuses a file that would take the user past `quota`,
   * counted under a transaction lock of the user's files, so that concurrent uploads (each
   * checked against the same sum before its image work) cannot all pass it.
   */
  private async holdQuota(userId: string, incoming: number, quota: number): Promise<void> {
    await this.txHost.tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `files:quota:${userId}`,
    ]);
    const used = await this.sumUsed(userId);
    if (used + incoming > quota) throw new StorageQuotaExceededError(used, quota, incoming);
  }

  /** What the user keeps against what they may keep (STORAGE_QUOTA_BYTES). */
  async usage(userId: string): Promise<StorageUsage> {
    return {
      usedBytes: await this.storageUsed(userId),
      quotaBytes: this.config.STORAGE_QUOTA_BYTES,
    };
  }

  /**
   * Refuses an image whose header declares more than IMAGE_MAX_PIXELS, before any pixel is
   * decoded (a 12000×12000 PNG is 560 KB of bytes but 576 MB once decoded).
   */
  private async checkDimensions(bytes: Buffer): Promise<void> {
    let width: number | undefined;
    let height: number | undefined;
    try {
      // The header only: sharp's own pixel limit (about 268 MP) would call a bigger image
      // undecodable, when it is too large (413), which is ours to say.
      ({ width, height } = await sharp(bytes, { limitInputPixels: false }).metadata());
    } catch {
      throw new UnsupportedImageError('The image could not be decoded');
    }
    if (!width || !height) throw new UnsupportedImageError('The image could not be decoded');
    if (width * height > this.config.IMAGE_MAX_PIXELS)
      throw new ImageTooLargeError(width, height, this.config.IMAGE_MAX_PIXELS);
  }

  private get files() {
    return this.txHost.tx.getRepository(StoredFile);
  }

  /**
   * An upload: recognised by its bytes (JPEG, PNG, WebP), turned upright by its EXIF
   * orientation, stripped of all metadata, scaled to UPLOAD_MAX_SIDE and re-encoded.
   */
  /**
   * ingestUpload() behind an optional Idempotency-Key: the same key and bytes give the first
   * file back (`replayed`, stored once); other bytes 422; while the first is in flight, 409.
   */
  async upload(
    userId: string,
    bytes: Buffer,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ file: StoredFile; replayed: boolean }> {
    const key = options.idempotencyKey;
    if (key === undefined) return { file: await this.ingestUpload(userId, bytes), replayed: false };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const start = await this.idempotency.begin(userId, key, { route: 'POST /v1/uploads', sha256 });
    if (start.kind === 'answered') {
      const file = await this.scope.run(userId, () => this.getVisible(start.resourceId, userId));
      return { file, replayed: true };
    }
    // A job's key would have hashed differently (422 above).
    if (start.kind === 'replay') throw new IdempotencyKeyReusedError();
    try {
      return { file: await this.ingestUpload(userId, bytes, start.claim), replayed: false };
    } catch (error) {
      await this.idempotency.abandon(userId, start.claim);
      throw error;
    }
  }

  /** Stores an upload; with an idempotency key, the key names the file in the row's transaction. */
  async ingestUpload(userId: string, bytes: Buffer, claim?: IdempotencyClaim): Promise<StoredFile> {
    const type = sniffImageType(bytes.subarray(0, 16));
    if (!type) throw new UnsupportedImageError();
    // Cheap refusals first: the quota (the stored copy is rarely larger than the upload) and the header.
    const used = await this.storageUsed(userId);
    const quota = this.config.STORAGE_QUOTA_BYTES;
    if (used >= quota) throw new StorageQuotaExceededError(used, quota, bytes.length);
    await this.checkDimensions(bytes);
    const max = this.config.UPLOAD_MAX_SIDE;
    let image: sharp.Sharp;
    try {
      image = sharp(bytes, { limitInputPixels: this.config.IMAGE_MAX_PIXELS, failOn: 'error' })
        .rotate()
        .resize({ width: max, height: max, fit: 'inside', withoutEnlargement: true });
    } catch {
      throw new UnsupportedImageError('The image could not be decoded');
    }
    return this.encodeAndStore(userId, 'upload', null, image, type, {
      save: true,
      quota: { used, quota },
      onSaved:
        claim === undefined
          ? undefined
          : (file) => this.idempotency.attachAnswer(userId, claim, 201, file.id),
    });
  }

  /** A provider's output image, stored for the job's owner. */
  async storeOutput(userId: string, jobId: string, bytes: Buffer): Promise<StoredFile> {
    const type = sniffImageType(bytes.subarray(0, 16)) ?? 'image/png';
    await this.checkDimensions(bytes);
    const image = sharp(bytes, { limitInputPixels: this.config.IMAGE_MAX_PIXELS, failOn: 'error' });
    return this.encodeAndStore(userId, 'output', jobId, image, type, { save: false });
  }

  /** Removes stored bytes that never got their row (an output nobody paid for). */
  async discard(files: StoredFile[]): Promise<void> {
    for (const file of files) await this.storage.delete(file.storageKey).catch(() => undefined);
  }

  /**
   * How many of `files` have their row: asked when the transaction that inserts them failed in
   * a way that does not say whether it committed (the connection cut after the COMMIT).
   */
  async recorded(files: StoredFile[]): Promise<number> {
    if (files.length === 0) return 0;
    return this.files.count({ where: { id: In(files.map((file) => file.id)) } });
  }

  /** Inserts the rows of files already in storage (inside the caller's transaction). */
  async saveRows(files: StoredFile[]): Promise<void> {
    if (files.length > 0) await this.files.insert(files);
  }

  private async encodeAndStore(
    userId: string,
    kind: FileKind,
    jobId: string | null,
    image: sharp.Sharp,
    type: ImageType,
    options: {
      save: boolean;
      quota?: { used: number; quota: number };
      /** Runs in the insert's transaction. */
      onSaved?: (file: StoredFile) => Promise<void>;
    } = { save: true },
  ): Promise<StoredFile> {
    const encoded =
      type === 'image/jpeg'
        ? image.jpeg({ quality: 85, mozjpeg: true })
        : type === 'image/webp'
          ? image.webp({ quality: 85 })
          : image.png({ compressionLevel: 9 });
    let output: { data: Buffer; info: sharp.OutputInfo };
    try {
      output = await this.images.run(() => encoded.toBuffer({ resolveWithObject: true }));
    } catch (error) {
      if (error instanceof DomainError) throw error; // a full queue: 503, not "undecodable"
      throw new UnsupportedImageError('The image could not be decoded');
    }
    if (options.quota && options.quota.used + output.info.size > options.quota.quota) {
      throw new StorageQuotaExceededError(
        options.quota.used,
        options.quota.quota,
        output.info.size,
      );
    }
    const id = randomUUID();
    const storageKey = `${userId}/${id}.${EXTENSIONS[type]}`;
    await this.storage.put(storageKey, output.data, type);
    const file = this.files.create({
      id,
      userId,
      kind,
      jobId,
      storageKey,
      contentType: type,
      bytes: output.info.size,
      width: output.info.width,
      height: output.info.height,
      createdAt: new Date(),
    });
    // Only the insert is in the owner's row scope: no connection is held while sharp works.
    const { quota } = options;
    if (options.save)
      try {
        await this.scope.run(userId, async () => {
          if (quota) await this.holdQuota(userId, file.bytes, quota.quota);
          await this.files.insert(file);
          await options.onSaved?.(file);
        });
      } catch (error) {
        // Refused before the insert: nothing points at the bytes (any other failure leaves
        // them to the orphan sweep, as the row may yet have committed).
        if (error instanceof StorageQuotaExceededError)
          await this.storage.delete(storageKey).catch(() => undefined);
        throw error;
      }
    return file;
  }

  /** The file if `userId` owns it (or is an admin); anyone else is told it does not exist. */
  async getVisible(fileId: string, userId: string, isAdmin = false): Promise<StoredFile> {
    if (!isUuid(fileId)) throw new FileNotFoundError();
    const file = await this.files.findOneBy({ id: fileId });
    if (!file || (!isAdmin && file.userId !== userId)) throw new FileNotFoundError();
    return file;
  }

  /**
   * Inside the caller's row scope: the user's files (optionally of one kind), newest first. The
   * cursor names the position of the previous page's last file, not the file, so it stays good
   * after that file is deleted.
   */
  async list(
    userId: string,
    limit: number,
    kind?: FileKind,
    cursor?: string,
  ): Promise<Page<StoredFile>> {
    const query = this.files.createQueryBuilder('f').where('f.userId = :userId', { userId });
    if (kind) query.andWhere('f.kind = :kind', { kind });
    const after = cursor === undefined ? null : readPositionCursor(cursor);
    if (cursor !== undefined && !after)
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    return newestFirstPage(query, limit, after, positionCursor);
  }

  /**
   * Deletes a file of `userId`'s: its row, then its stored bytes. Someone else's file, or one
   * already deleted, is a 404. A file that a queued or running job reads as its input is
   * refused (FILE_IN_USE, 409) until that job ends.
   *
   * The row goes first, in the owner's row scope, under a lock on the row: a submit names an
   * input image by share-locking its row (JobsService.assertOwnImages), so a job being created
   * with this image either committed first (and is seen here: 409) or finds the image gone
   * (400). The bytes are removed once that has committed; if that fails the file is deleted
   * all the same (its row, its quota, its link), and the orphan sweep deletes the bytes, which
   * no row points at any more, once they are a day old. Credits are never touched: a job's
   * charge stands whatever becomes of its outputs.
   */
  async remove(fileId: string, userId: string): Promise<void> {
    if (!isUuid(fileId)) throw new FileNotFoundError();
    const file = await this.scope.run(userId, async () => {
      const locked = await this.files
        .createQueryBuilder('f')
        .setLock('pessimistic_write')
        .where('f.id = :fileId AND f.userId = :userId', { fileId, userId })
        .getOne();
      if (!locked) throw new FileNotFoundError();
      const readers = await this.txHost.tx
        .getRepository(AiJob)
        .createQueryBuilder('j')
        .select('j.id', 'id')
        .where('j.userId = :userId', { userId })
        .andWhere(`j.status IN ('queued', 'running')`)
        .andWhere(`j.params ->> 'inputImageId' = :fileId`, { fileId })
        .orderBy('j.createdAt', 'ASC')
        .limit(IN_USE_JOBS_NAMED)
        .getRawMany<{ id: string }>();
      if (readers.length > 0) throw new FileInUseError(readers.map((job) => job.id));
      await this.files.delete({ id: locked.id });
      return locked;
    });
    try {
      await this.storage.delete(file.storageKey);
    } catch (error) {
      this.logger.warn(
        { err: loggableError(error), fileId: file.id },
        'could not delete the bytes of a deleted file; the orphan sweep will',
      );
    }
  }

  listForJobs(jobIds: string[]): Promise<StoredFile[]> {
    if (jobIds.length === 0) return Promise.resolve([]);
    return this.files
      .createQueryBuilder('f')
      .where('f.jobId IN (:...jobIds)', { jobIds })
      .andWhere(`f.kind = 'output'`)
      .orderBy('f.createdAt', 'ASC')
      .getMany();
  }

  /** A link an <img> tag can use until it expires: presigned by S3, or signed by us. */
  async link(file: StoredFile): Promise<FileLink> {
    const ttl = this.config.FILE_URL_TTL_SECONDS;
    const expiresAt = new Date(Date.now() + ttl * 1000);
    const direct = await this.storage.directUrl(file.storageKey, ttl);
    if (direct) return { url: direct, expiresAt };
    const expires = Math.floor(expiresAt.getTime() / 1000);
    const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    const sig = this.signer.sign(file.id, expires);
    return { url: `${base}/v1/files/${file.id}/content?expires=${expires}&sig=${sig}`, expiresAt };
  }

  /**
   * Opens a file for a signed link; a bad, expired or foreign signature finds nothing. The
   * signature is the authorisation and the link names no user, so the row is looked up across
   * all users, in a transaction that ends before storage is reached.
   */
  async openSigned(
    fileId: string,
    expires: string,
    sig: string,
  ): Promise<{ file: StoredFile; body: Readable }> {
    if (!isUuid(fileId) || !this.signer.verify(fileId, expires, sig)) throw new FileNotFoundError();
    const file = await this.scope.allUsers(() => this.files.findOneBy({ id: fileId }));
    if (!file) throw new FileNotFoundError();
    return { file, body: await this.bytesOf(file) };
  }

  /** The stored bytes of a file (for providers that need the input image itself). */
  async read(file: StoredFile): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.bytesOf(file)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * A file's bytes. A row whose bytes are gone (lost from the store, a restore that brought the
   * database back without them) is a file that is not there, 404, as S3 answers for its direct
   * links; it is our loss, so it is logged as an error.
   */
  private async bytesOf(file: StoredFile): Promise<Readable> {
    try {
      return await this.storage.get(file.storageKey);
    } catch (error) {
      if (!(error instanceof StoredObjectNotFoundError)) throw error;
      this.logger.error(
        { fileId: file.id, jobId: file.jobId, kind: file.kind },
        'a file row whose bytes are gone from the store: answered as not found',
      );
      throw new FileNotFoundError();
    }
  }
}
