/**
 * The mailed flows in headless Chromium against the real API (serving the built SPA) and the real
 * worker writing to an outbox folder the test reads: sign up and follow the verify link, forget
 * the password and follow the reset link, turn a type off in Account and through an unsubscribe
 * link. axe on every page visited. The suite has a database of its own (test/support/suite-database).
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expectAccessible as expectPageAccessible, launchChromium } from '../support/chromium';
import { EmailService } from '@jewelshot/email';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { type TestApi } from '../support/app';
import { loadConfig } from '../support/config';
import { uniqueEmail } from '../support/factories';
import { linkIn, mailTo, newOutboxDir } from '../support/outbox';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { startSpaApi } from '../support/spa-api';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const PASSWORD = 'violet-harbour-lantern-42';
const NEW_PASSWORD = 'amber-meadow-compass-77';

jest.setTimeout(90_000);

describe('mailed links in the browser', () => {
  let api: TestApi;
  let worker: WorkerApp;
  let db: SuiteDatabase;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const outbox = newOutboxDir();

  const expectAccessible = () => expectPageAccessible(page);

  const signUp = async (): Promise<string> => {
    const email = uniqueEmail('browser-mail');
    await page.goto(`${base}/sign-up`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    return email;
  };

  beforeAll(async () => {
    db = await suiteDatabase('browser_mail');
    const started = await startSpaApi((origin) => ({
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('browser-mail'),
      APP_BASE_URL: origin,
      OUTBOX_DIR: outbox,
      EVENTS_POLL_MS: '100',
      EMAIL_SEND_RATE_PER_SECOND: '100',
    }));
    ({ api, base } = started);
    const { env } = started;
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    browser = await launchChromium();
  }, 240_000);

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  it('shows the verify banner after sign-up, and the mailed link verifies the address', async () => {
    const email = await signUp();
    await page.getByText('Please verify your email address').waitFor();
    await expectAccessible();
    const mail = await mailTo(outbox, (m) => m.to === email && m.template === 'verify-email');
    await page.goto(linkIn(mail, `${base}/verify-email`).toString());
    await page.getByText('Your address is verified').waitFor();
    await expectAccessible();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await expect(page.getByText('Please verify your email address').count()).resolves.toBe(0);
  });

  it('resets a forgotten password through the mailed link, once', async () => {
    const email = await signUp();
    await context.clearCookies();
    const fresh = await context.newPage();
    page = fresh;
    await page.goto(`${base}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // The sign-in page has an Email field too: fill the reset page's, once it is there (on a
    // busy machine the route can take a moment, and the address went into the old page's field).
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByText('a reset link is on its way').waitFor();
    await expectAccessible();

    const mail = await mailTo(outbox, (m) => m.to === email && m.template === 'password-reset');
    const link = linkIn(mail, `${base}/reset-password`).toString();
    await page.goto(link);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('Your password is set').waitFor();
    await expectAccessible();

    await page.goto(link);
    await page.getByLabel('New password').fill('another-long-passphrase-9');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('This link is invalid, has expired or has already been used').waitFor();

    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  it('turns mail types off in Account and through the unsubscribe page', async () => {
    const email = await signUp();
    await page.goto(`${base}/account`);
    const jobFailed = page.getByRole('switch', { name: 'A shot failed' });
    await jobFailed.waitFor();
    await expectAccessible();
    await Promise.all([
      page.waitForResponse(
        (res) => res.url().endsWith('/v1/me/email-preferences') && res.request().method() === 'PUT',
      ),
      // Controlled by the server's answer: the switch flips once the PUT is back.
      jobFailed.click({ force: true }),
    ]);
    // The response is in before React has rendered the saved state: wait for it (the reload of
    // the page below reads it back from the server).
    await page.getByRole('switch', { name: 'A shot failed', checked: false }).waitFor();

    const [row] = (await api.db.query('SELECT id FROM users WHERE email = $1', [email])) as Array<{
      id: string;
    }>;
    await api.app.get(EmailService).enqueue({
      template: 'low-credits',
      to: email,
      userId: row?.id ?? '',
      data: { available: 1, threshold: 2 },
    });
    const mail = await mailTo(outbox, (m) => m.to === email && m.template === 'low-credits');
    await page.goto(linkIn(mail, `${base}/unsubscribe`).toString());
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByText('you will no longer receive “Credits are running low” emails').waitFor();
    await expectAccessible();

    await page.goto(`${base}/account`);
    await expect(
      page.getByRole('switch', { name: 'Credits are running low' }).isChecked(),
    ).resolves.toBe(false);
    await expect(page.getByRole('switch', { name: 'A shot failed' }).isChecked()).resolves.toBe(
      false,
    );
    await expect(
      page.getByRole('switch', { name: 'A batch is finished' }).isChecked(),
    ).resolves.toBe(true);
  });
});
