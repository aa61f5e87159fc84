/**
 * The admin console in headless Chromium against the real API serving the built SPA (the same
 * harness as browser.e2e-spec.ts): adjust credits and see the balance and the audit log change;
 * ban and see the user's next page say so; a non-admin sees "not allowed" and every admin call
 * it made was refused. Screenshots under test-results/, axe on the console's pages.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuthService } from '@jewelshot/identity';
import { type Browser, type Page } from 'playwright-core';
import { expectAccessible, launchChromium } from '../support/chromium';
import { repoRoot } from '@jewelshot/platform';
import { type TestApi } from '../support/app';
import { uniqueEmail } from '../support/factories';
import { startSpaApi } from '../support/spa-api';
import { suitePrefix } from '../support/test-env';

const ROOT = repoRoot();
const SHOTS = join(ROOT, 'test-results');
const PASSWORD = 'violet-harbour-lantern-42';

jest.setTimeout(120_000);

describe('the admin console in a browser', () => {
  let api: TestApi;
  let browser: Browser;
  let base: string;

  const newPage = async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    return ctx.newPage();
  };

  const signUp = async (page: Page): Promise<string> => {
    const email = uniqueEmail('console');
    await page.goto(`${base}/sign-up`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    return email;
  };

  const signIn = async (page: Page, email: string) => {
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  };

  /** An admin signed in in a page of its own. */
  const adminPage = async (): Promise<Page> => {
    const page = await newPage();
    const email = await signUp(page);
    await api.app.get(AuthService).ensureAdmin(email, PASSWORD);
    await page.context().clearCookies();
    await signIn(page, email);
    return page;
  };

  const confirmWithReason = async (page: Page, button: string, reason: string) => {
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.getByLabel(/Reason/).fill(reason);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('recorded-event').waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ api, base } = await startSpaApi(() => ({
      REDIS_KEY_PREFIX: suitePrefix('admin-browser'),
      SIGNUP_CREDITS: '3',
    })));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("adjusts a user's credits: the user's balance changes and the audit log shows it; a ban shows on the user's next page", async () => {
    const seller = await newPage();
    const sellerEmail = await signUp(seller);
    await expect(seller.getByTestId('balance').textContent()).resolves.toBe('3 credits');

    const admin = await adminPage();
    await admin.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.getByRole('heading', { name: 'Admin console' }).waitFor();
    await admin.getByLabel('Search by email').fill(sellerEmail);
    await admin.getByRole('link', { name: sellerEmail }).click();
    await admin.getByTestId('admin-balance').waitFor();
    await expectAccessible(admin);
    await admin.getByLabel(/Change \(credits/).fill('5');
    await confirmWithReason(admin, 'Adjust credits', 'goodwill for a late delivery');
    await expect(admin.getByTestId('recorded-event').textContent()).resolves.toMatch(
      /credits\.adjust \(succeeded\)/,
    );
    await admin.getByText('Balance 8, reserved 0, available 8').waitFor();
    await admin.screenshot({ path: join(SHOTS, 'admin-user.png'), fullPage: true });

    await seller.reload();
    await seller.getByTestId('balance').waitFor();
    await expect(seller.getByTestId('balance').textContent()).resolves.toBe('8 credits');

    await admin.goto(`${base}/admin`);
    await admin.getByRole('tab', { name: 'Audit log' }).click();
    const row = admin.getByTestId('audit-table').getByRole('row', { name: /credits\.adjust/ });
    await row.first().waitFor();
    await expect(row.first().textContent()).resolves.toContain('goodwill for a late delivery');
    await expectAccessible(admin);
    await admin.screenshot({ path: join(SHOTS, 'admin-audit.png'), fullPage: true });

    await admin.goto(`${base}/admin`);
    await admin.getByLabel('Search by email').fill(sellerEmail);
    await admin.getByRole('link', { name: sellerEmail }).click();
    await confirmWithReason(admin, 'Ban', 'chargeback fraud');
    await expect(admin.getByTestId('recorded-event').textContent()).resolves.toMatch(
      /user\.ban \(succeeded\)/,
    );

    await seller.getByRole('link', { name: 'Credits', exact: true }).click();
    await seller.getByText(/This account has been suspended/).waitFor({ timeout: 30_000 });
    await seller.screenshot({ path: join(SHOTS, 'admin-banned-seller.png'), fullPage: true });
  });

  it('shows a non-admin "not allowed" at /admin, and the API refused every call it made', async () => {
    const page = await newPage();
    const admin: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/v1/admin')) admin.push(response.status());
    });
    await signUp(page);
    await expect(page.getByRole('link', { name: 'Admin', exact: true }).count()).resolves.toBe(0);
    await page.goto(`${base}/admin`);
    await page.getByText('Not allowed: this page is for administrators.').first().waitFor();
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByText('Not allowed: this page is for administrators.').first().waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: join(SHOTS, 'admin-not-allowed.png'), fullPage: true });
    expect(admin.length).toBeGreaterThan(0);
    expect(admin.every((status) => status === 403)).toBe(true);
  });
});
