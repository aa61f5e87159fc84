import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One message as the outbox driver writes it (`<time>-<id>.json`). */
export interface OutboxMail {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  template: string;
  headers: Record<string, string>;
}

/**
 * A fresh outbox directory for a suite (OUTBOX_DIR), inside the run's own folder, which the
 * global teardown removes (each run left its outboxes in the temp dir before).
 */
export function newOutboxDir(): string {
  const runDir = process.env.JEWELSHOT_TEST_STORAGE_DIR ?? join(tmpdir(), 'jewelshot-test');
  mkdirSync(runDir, { recursive: true });
  return mkdtempSync(join(runDir, 'outbox-'));
}

export function readOutbox(dir: string): OutboxMail[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as OutboxMail);
}

/** Waits for the messages matching `filter` until there are `count` of them (60 s at most). */
export async function waitForMail(
  dir: string,
  filter: (mail: OutboxMail) => boolean,
  count = 1,
  timeoutMs = 60_000,
): Promise<OutboxMail[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = readOutbox(dir).filter(filter);
    if (found.length >= count) return found;
    if (Date.now() > until)
      throw new Error(`expected ${count} mail(s) in the outbox, found ${found.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first link in a message's text that starts with `prefix` (the text part lists each link). */
export function linkIn(mail: OutboxMail, prefix: string): URL {
  const match = mail.text.match(/https?:\/\/\S+/g)?.find((url) => url.startsWith(prefix));
  if (!match) throw new Error(`no link to ${prefix} in: ${mail.text}`);
  return new URL(match);
}

/** The first message matching `filter`, once it is there. */
export async function mailTo(
  dir: string,
  filter: (mail: OutboxMail) => boolean,
): Promise<OutboxMail> {
  const [mail] = await waitForMail(dir, filter);
  if (!mail) throw new Error('no mail');
  return mail;
}
