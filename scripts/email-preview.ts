/**
 * npm run email:preview — writes every template, in every language, with sample data, to
 * var/email-preview/ (one HTML file each, its plain text beside it, and an index.html linking
 * them). Needs no database, Redis or mail account.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EMAIL_LANGUAGES,
  EMAIL_TEMPLATES,
  renderEmail,
  type EmailTemplate,
  type TemplateData,
} from '@jewelshot/email';
import { repoRoot } from '@jewelshot/platform';

const SAMPLES: { [T in EmailTemplate]: TemplateData[T] } = {
  welcome: {},
  'verify-email': { token: 'sample-verify-token' },
  'password-reset': { token: 'sample-reset-token' },
  'password-changed': {},
  'api-key-created': {
    name: 'Shopify sync',
    prefix: 'js_live_4f2a9c1e0b7d3a5c6e8f0a1b',
    scopes: ['files:write', 'jobs:read', 'jobs:write'],
  },
  'job-failed': {
    jobId: '7f1c2a9e-0000-4000-8000-000000000001',
    operation: 'generate',
    reasonCode: 'PROVIDER_TIMEOUT',
    reason: 'the model provider did not answer',
    refunded: 1,
  },
  'batch-finished': {
    batchId: '7f1c2a9e-0000-4000-8000-000000000002',
    total: 12,
    succeeded: 11,
    failed: 1,
  },
  'low-credits': { available: 1, threshold: 2 },
  'webhook-disabled': {
    endpointId: '00000000-0000-4000-8000-000000000000',
    url: 'https://example.com/hooks',
    failingSinceIso: '2026-01-01T00:00:00.000Z',
  },
  'admin-alert': {
    title: 'Unusual sign-up rate',
    detail: '42 accounts from one address in 10 minutes.',
    link: '/admin',
  },
};

async function main(): Promise<void> {
  const dir = join(repoRoot(), 'var', 'email-preview');
  await mkdir(dir, { recursive: true });
  const baseUrl = process.env.APP_BASE_URL ?? 'http://localhost:3000';
  const links: string[] = [];
  for (const template of EMAIL_TEMPLATES)
    for (const language of EMAIL_LANGUAGES) {
      const mail = await renderEmail(template, SAMPLES[template] as never, {
        language,
        baseUrl,
        unsubscribeUrl: `${baseUrl}/unsubscribe?token=sample`,
      });
      const name = `${template}.${language}`;
      await writeFile(join(dir, `${name}.html`), mail.html);
      await writeFile(join(dir, `${name}.txt`), `Subject: ${mail.subject}\n\n${mail.text}\n`);
      links.push(
        `<li><a href="${name}.html">${name}</a> (<a href="${name}.txt">text</a>): ${mail.subject}</li>`,
      );
    }
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>Jewelshot mail</title><ul>${links.join('\n')}</ul>\n`,
  );
  process.stdout.write(`wrote ${links.length} messages to ${dir}/index.html\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `email:preview failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
