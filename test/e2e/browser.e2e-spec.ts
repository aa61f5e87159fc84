/**
 * The seller SPA in headless Chromium against the real API (serving the built SPA) and the real
 * worker: the seller's flows end to end, each ending with a screenshot under test-results/, and
 * axe on every page visited (no serious or critical violations).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expectAccessible as expectPageAccessible, launchChromium } from '../support/chromium';
import { repoRoot } from '@jewelshot/platform';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { fund, submit } from '../support/ai';
import { type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { newUser, uniqueEmail } from '../support/factories';
import { smallPng } from '../support/images';
import { startSpaApi } from '../support/spa-api';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const ROOT = repoRoot();
const SHOTS = join(ROOT, 'test-results');
const PASSWORD = 'violet-harbour-lantern-42';

// A flow is 10–30 s on a busy 2-CPU machine (each axe pass alone is 2–4 s there).
jest.setTimeout(90_000);

describe('the seller SPA in a browser', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  let worker: WorkerApp | undefined;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let photo: Buffer;

  const startWorker = async () => {
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
  };
  const stopWorker = async () => {
    await worker?.close();
    worker = undefined;
  };

  /** No serious or critical accessibility violations on the page as it is now. */
  const expectAccessible = (target: Page = page) => expectPageAccessible(target);

  const shot = (name: string, target: Page = page) =>
    target.screenshot({ path: join(SHOTS, `browser-${name}.png`), fullPage: true });

  /** What Chromium refused under the API's Content-Security-Policy, on any page of a test. */
  let cspViolations: string[] = [];
  const newPage = async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const opened = await ctx.newPage();
    opened.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    return { ctx, page: opened };
  };

  /** Signs up through the sign-up page and lands on Home; hands back the email. */
  const signUp = async (target: Page = page, check = false): Promise<string> => {
    const email = uniqueEmail('browser');
    await target.goto(`${base}/sign-up`);
    await target.getByLabel('Email').fill(email);
    await target.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    if (check) await expectAccessible(target);
    await target.getByRole('button', { name: 'Create account' }).click();
    await target.getByRole('heading', { name: 'Home' }).waitFor();
    return email;
  };

  const balance = (target: Page = page) => target.getByTestId('balance');

  const userId = async (email: string): Promise<string> => {
    const [row] = (await api.db.query('SELECT id FROM users WHERE email = $1', [email])) as {
      id: string;
    }[];
    if (!row) throw new Error(`no user ${email}`);
    return row.id;
  };

  const pngFile = (name: string) => ({ name, mimeType: 'image/png', buffer: photo });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    photo = await smallPng(640, 480);
    ({ api, base, env } = await startSpaApi(() => ({
      REDIS_KEY_PREFIX: suitePrefix('browser'),
      LOCAL_PROVIDER_LATENCY_MS: '300',
      SIGNUP_CREDITS: '3',
    })));
    await startWorker();
    browser = await launchChromium();
  }, 240_000);

  beforeEach(async () => {
    cspViolations = [];
    ({ ctx: context, page } = await newPage());
  });

  afterEach(async () => {
    await context.close();
    // The app works under its own policy: nothing it loads or runs is refused.
    expect(cspViolations).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stopWorker();
    await api?.close();
  });

  it('signs up with the sign-up credits, uploads, runs a job to its result, and charges the price', async () => {
    const email = await signUp(page, true);
    await expect(balance().textContent()).resolves.toBe('3 credits');
    await expectAccessible();

    await page.getByRole('link', { name: 'New shot', exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(pngFile('ring.png'));
    await page.getByRole('img', { name: 'Normalised photo' }).waitFor();
    await expectAccessible();
    await page.getByRole('button', { name: 'Start (1 credit)' }).click();
    // Start leads to the job's own page: a reload or Back keeps the job, not an empty form.
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.getByRole('progressbar', { name: 'Progress' }).waitFor();
    const result = page.getByRole('img', { name: 'Result 1' });
    await result.waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      (element) => {
        const img = element as unknown as { complete: boolean; naturalWidth: number } | null;
        return img !== null && img.complete && img.naturalWidth > 0;
      },
      await result.elementHandle(),
    );
    await expect(page.getByText('Done', { exact: true }).first().isVisible()).resolves.toBe(true);
    await expectAccessible();
    await shot('result');

    const [job] = (await api.db.query('SELECT id FROM ai_jobs WHERE user_id = $1', [
      await userId(email),
    ])) as { id: string }[];
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job?.id ?? ''}`);
    await page.getByRole('cell', { name: '1 credit', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('img', { name: 'Result 1' }).waitFor();
    await page.goto(`${base}/jobs/${job?.id ?? ''}`);
    await page.getByRole('img', { name: 'Result 1' }).waitFor();
    await expectAccessible();

    await page.getByRole('link', { name: 'Credits', exact: true }).click();
    await page.getByRole('table').first().waitFor();
    // The charge says what it paid for, in words.
    await page.getByRole('cell', { name: 'Charged: Remove background' }).waitFor();
    await expectAccessible();
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByText('2 credits', { exact: true }).first().waitFor();
    await expect(balance().textContent()).resolves.toBe('2 credits');
    await page
      .getByRole('link', { name: /^Open job/ })
      .first()
      .waitFor();
    await expectAccessible();
    await shot('home');
    // Every job, not only the latest, with its status; the filter asks the API.
    await page.getByRole('link', { name: 'See all jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    await page.waitForURL(/\/jobs\?status=succeeded$/);
    await page.getByRole('link', { name: /^Open job: Remove background/ }).waitFor();
    await expectAccessible();
  });

  it('says when credits are short and creates nothing', async () => {
    const email = await signUp();
    await page.getByRole('link', { name: 'New shot', exact: true }).click();
    await page.getByRole('radio', { name: /^Generate from a prompt/ }).check();
    await page.getByRole('textbox', { name: /^Prompt/ }).fill('a gold ring on marble');
    await page.getByRole('textbox', { name: 'Number of images' }).fill('4');
    await page.getByText('You need 4 credits but have 3 credits.').first().waitFor();
    const start = page.getByRole('button', { name: 'Start (4 credits)' });
    await expect(start.isDisabled()).resolves.toBe(true);
    await start.click({ force: true });
    await expectAccessible();
    await shot('short-of-credits');
    const id = await userId(email);
    expect(await api.db.query('SELECT id FROM ai_jobs WHERE user_id = $1', [id])).toEqual([]);
    expect(await api.db.query('SELECT id FROM credit_holds WHERE user_id = $1', [id])).toEqual([]);
  });

  it('cancels a job and refunds its credits', async () => {
    // No worker while this job waits, so it is still queued when the seller cancels.
    await stopWorker();
    try {
      const email = await signUp();
      await page.getByRole('link', { name: 'New shot', exact: true }).click();
      await page.locator('input[type=file]').setInputFiles(pngFile('ring.png'));
      await page.getByRole('img', { name: 'Normalised photo' }).waitFor();
      await page.getByRole('button', { name: 'Start (1 credit)' }).click();
      await page.getByRole('button', { name: 'Cancel job' }).click();
      await page.getByText('Canceled', { exact: true }).first().waitFor();
      // The job's error is in plain words, not the API's English message.
      await page.getByText('This job was canceled. Your credits were refunded.').waitFor();
      await page.getByRole('cell', { name: '1 credit — refunded', exact: true }).waitFor();
      await shot('canceled');
      const rows = (await api.db.query(
        `SELECT j.status, h.status AS hold_status FROM ai_jobs j JOIN credit_holds h ON h.id = j.hold_id
          WHERE j.user_id = $1`,
        [await userId(email)],
      )) as { status: string; hold_status: string }[];
      expect(rows).toEqual([{ status: 'canceled', hold_status: 'voided' }]);
      await page.getByRole('link', { name: 'Home', exact: true }).click();
      await page.getByText('3 credits', { exact: true }).first().waitFor();
      await expect(balance().textContent()).resolves.toBe('3 credits');
      // The credits page shows the refund in words: a refund changes no balance, so it is a hold.
      await page.getByRole('link', { name: 'Credits', exact: true }).click();
      const holdRow = page.getByRole('row', { name: /Remove background.*1 credit.*Refunded/ });
      await holdRow.waitFor();
      await expectAccessible();
    } finally {
      await startWorker();
    }
  });

  it('lists an upload on Files, and deleting it there frees its space', async () => {
    const email = await signUp();
    await page.getByRole('link', { name: 'New shot', exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(pngFile('ring.png'));
    await page.getByRole('img', { name: 'Normalised photo' }).waitFor();

    await page.getByRole('link', { name: 'Files', exact: true }).click();
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    // The thumbnail is the file's signed URL, and it loads.
    const thumbnail = page.getByRole('img', { name: /^Uploaded photo, / });
    await page.waitForFunction(
      (element) => {
        const img = element as unknown as { complete: boolean; naturalWidth: number } | null;
        return img !== null && img.complete && img.naturalWidth > 0;
      },
      await thumbnail.elementHandle(),
    );
    const usage = page.getByTestId('storage-usage');
    await expect(usage.textContent()).resolves.toMatch(/^[1-9][\d.,]* kB of 1 GB$/);
    await expectAccessible();
    await page.getByLabel('Show').selectOption('output');
    await page.waitForURL(/\/files\?kind=output$/);
    await page.getByText('No results.').waitFor();
    await page.getByLabel('Show').selectOption('');
    await thumbnail.waitFor();

    await page.getByRole('button', { name: /^Delete upload of / }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this upload?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText(/^No files yet\./).waitFor();
    await page.getByText('0 kB of 1 GB', { exact: true }).waitFor();
    await expectAccessible();
    await shot('files');
    expect(
      await api.db.query('SELECT id FROM files WHERE user_id = $1', [await userId(email)]),
    ).toEqual([]);
  });

  it('runs a batch of 3 photos', async () => {
    await signUp();
    await page.getByRole('link', { name: 'Batches', exact: true }).click();
    await page.getByRole('heading', { name: 'Batches' }).waitFor();
    await expectAccessible();
    await page
      .locator('input[type=file]')
      .setInputFiles([pngFile('a.png'), pngFile('b.png'), pngFile('c.png')]);
    await page.getByRole('button', { name: 'Start batch (3 credits)' }).click();
    await page.getByText('3 of 3 finished').waitFor({ timeout: 30_000 });
    await page.getByText('3 succeeded, 0 failed, 0 canceled').waitFor();
    await page.getByText('Finished', { exact: true }).waitFor();
    await expectAccessible();
    await shot('batch');
    await page.getByRole('link', { name: 'Gallery', exact: true }).click();
    await page.getByRole('heading', { name: 'Gallery' }).waitFor();
    await page.getByRole('img').first().waitFor();
    await expectAccessible();
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    // Home may first show the balance it had cached at sign-up, then the fresh one.
    await page.getByText('0 credits', { exact: true }).first().waitFor();
    await expect(balance().textContent()).resolves.toBe('0 credits');
  });

  it('switches to Turkish and remembers it after a reload', async () => {
    await page.goto(`${base}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in to Jewelshot' }).waitFor();
    await expectAccessible();
    await page.getByLabel('Language').selectOption('tr');
    await page.getByRole('heading', { name: "Jewelshot'a giriş yapın" }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: "Jewelshot'a giriş yapın" }).waitFor();
    await expect(page.getByRole('button', { name: 'Giriş yap' }).isVisible()).resolves.toBe(true);
    await expectAccessible();
    await shot('turkish');
  });

  it('keeps the session over a reload, and sign-out ends it', async () => {
    await signUp();
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await expectAccessible();
    await page.reload();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to Jewelshot' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Jewelshot' }).waitFor();
    await page.goto(`${base}/credits`);
    await page.getByRole('heading', { name: 'Sign in to Jewelshot' }).waitFor();
    await shot('signed-out');
  });

  it("does not show one seller's job to another", async () => {
    const owner = await newUser(api, 'owner');
    await fund(api, owner, 1);
    const created = await submit(api, owner, {
      operation: 'generate',
      params: { prompt: 'a silver necklace', numImages: 1 },
    });
    expect(created.status).toBe(202);
    const jobId = created.body.id as string;

    await signUp();
    await page.goto(`${base}/jobs/${jobId}`);
    await page.getByText('This job does not exist or is not yours.').waitFor();
    await expectAccessible();
    await shot('not-yours');
  });
});
