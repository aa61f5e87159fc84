import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { FileStorage, StoredObjectNotFoundError, type StoredObject } from './file-storage';

/** Files under one folder; written to a temporary name and renamed, so a reader never sees half a file. */
export class LocalDiskStorage implements FileStorage {
  readonly driver = 'local' as const;
  private readonly root: string;

  constructor(dir: string) {
    this.root = isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`storage key escapes the root: ${key}`);
    return path;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch (error) {
      // Only a file that is not there is not found; any other failure (EACCES, EMFILE, EIO) is
      // the store's, not the file's, and is thrown as it is.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StoredObjectNotFoundError(key);
      throw error;
    }
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Every file under the root, `.tmp` leftovers of interrupted writes included. */
  async *list(): AsyncIterable<StoredObject> {
    const folders = [this.root];
    for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch {
        continue; // gone meanwhile, or the root does not exist yet
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) folders.push(path);
        else if (entry.isFile()) {
          const info = await stat(path).catch(() => null);
          if (info)
            yield { key: relative(this.root, path).split(sep).join('/'), lastModified: info.mtime };
        }
      }
    }
  }

  async directUrl(): Promise<string | null> {
    return null;
  }
}
