import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { WorkQueue } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';

/**
 * argon2id with the library's recommended cost (64 MiB, t=3, p=4). Hashes run on libuv's thread
 * pool, at most PASSWORD_HASH_CONCURRENCY at once with PASSWORD_HASH_QUEUE waiting: a burst of
 * logins gets 503 with Retry-After instead of taking every pool thread from file reads.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  private readonly queue: WorkQueue;

  constructor(@Inject(IDENTITY_CONFIG) config: IdentityConfig) {
    this.queue = new WorkQueue(
      'password hashing',
      config.PASSWORD_HASH_CONCURRENCY,
      config.PASSWORD_HASH_QUEUE,
    );
  }

  hash(password: string): Promise<string> {
    return this.queue.run(() => argon2.hash(password, { type: argon2.argon2id }));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return this.queue.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** Spends the same time as a real verification, so an unknown email is not told apart by timing. */
  async verifyNothing(password: string): Promise<false> {
    // Not through the queue: it is computed once, and awaiting it inside a slot could deadlock.
    this.dummyHash ??= argon2.hash('not-a-real-password-just-for-timing', {
      type: argon2.argon2id,
    });
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
