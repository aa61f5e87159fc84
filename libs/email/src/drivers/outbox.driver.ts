import { mkdir, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { repoRoot } from '@jewelshot/platform';
import type { EmailDriver, OutgoingEmail } from './email-driver';

/**
 * Development's and the tests' provider: each message becomes `<time>-<id>.json` and `.eml` in
 * OUTBOX_DIR, readable without an account anywhere. The time is the message's own creation
 * time, so sending one message again rewrites the same two files instead of adding a copy.
 * Files are written under a temporary name and renamed: a reader never sees half a message.
 */
export class OutboxDriver implements EmailDriver {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = isAbsolute(dir) ? dir : join(repoRoot(), dir);
  }

  async send(message: OutgoingEmail): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const base = `${message.createdAt.toISOString().replace(/[:.]/g, '-')}-${message.id}`;
    const json = {
      id: message.id,
      to: message.to,
      from: message.from,
      subject: message.subject,
      text: message.text,
      html: message.html,
      template: message.template,
      headers: message.headers,
    };
    await this.write(`${base}.eml`, toEml(message));
    await this.write(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
    return `outbox:${message.id}`;
  }

  private async write(name: string, content: string): Promise<void> {
    const path = join(this.dir, name);
    await writeFile(`${path}.tmp`, content);
    await rename(`${path}.tmp`, path);
  }
}

/** The message as RFC 5322 text (multipart/alternative), for any mail client to open. */
function toEml(message: OutgoingEmail): string {
  const boundary = `jewelshot-${message.id}`;
  const encodeHeader = (value: string) =>
    /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString('base64')}?=`;
  const base64 = (value: string) =>
    Buffer.from(value).toString('base64').replace(/.{76}/g, '$&\r\n');
  const lines = [
    `Message-ID: <${message.id}@jewelshot.local>`,
    `Date: ${message.createdAt.toUTCString()}`,
    `From: ${encodeHeader(message.from)}`,
    // Header values never break a line, whatever reached them.
    `To: ${encodeHeader(message.to.replace(/[\r\n]/g, ''))}`,
    `Subject: ${encodeHeader(message.subject)}`,
    ...Object.entries(message.headers).map(
      ([name, value]) => `${name}: ${value.replace(/[\r\n]/g, '')}`,
    ),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64(message.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64(message.html),
    `--${boundary}--`,
    '',
  ];
  return lines.join('\r\n');
}
