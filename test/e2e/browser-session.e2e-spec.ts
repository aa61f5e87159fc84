/**
 * The SPA's session in headless Chromium against the real API (serving the built SPA): tabs
 * opened together share one rotating refresh cookie and must take turns refreshing it, and a
 * session that ends in a tab leaves the next user who signs in there nothing of the last one.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { fund } from '../support/ai';
import { type TestApi } from '../support/app';
import { bearer, newAdmin, newUser, type TestUser } from '../support/factories';
import { startSpaApi } from '../support/spa-api';
import { suitePrefix } from '../support/test-env';

jest.setTimeout(90_000);

describe('the SPA session in a browser', () => {
  let api: TestApi;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;

  const signIn = async (page: Page, user: TestUser) => {
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('textbox', { name: 'Password' }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');
  };

  /**
   * Where a page ended up, and the heading it shows there: once the page shows the heading of
   * where it is (a redirect or a navigation may be under way: the address and the page agree).
   */
  const landing = async (page: Page) => {
    const settled = () => {
      // Runs in the page (this file is compiled without the DOM's types).
      const { document, location } = globalThis as unknown as {
        document: { querySelector(selector: string): { textContent: string | null } | null };
        location: { pathname: string };
      };
      const heading = document.querySelector('h1')?.textContent;
      if (heading === undefined || heading === null) return null;
      const onSignIn = location.pathname === '/sign-in';
      return onSignIn === (heading === 'Sign in to Jewelshot')
        ? { path: location.pathname, heading }
        : null;
    };
    return (await page.waitForFunction(settled)).jsonValue();
  };

  const pathOf = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    ({ api, base } = await startSpaApi(() => ({
      REDIS_KEY_PREFIX: suitePrefix('browser-session'),
      SIGNUP_CREDITS: '3',
    })));
    browser = await launchChromium();
  }, 240_000);

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('opens three tabs at once and stays signed in in every one of them', async () => {
    const user = await newUser(api, 'tabs');
    const first = await context.newPage();
    await first.goto(`${base}/sign-in`);
    await signIn(first, user);

    const refreshes: number[] = [];
    context.on('response', (response) => {
      if (pathOf(response.url()) === '/v1/auth/refresh') refreshes.push(response.status());
    });
    // Each refresh waits until the three are all waiting or 750 ms have passed, so tabs that
    // refresh at the same moment meet at the API at the same moment, however the pages load.
    // Tabs that take turns send one at a time, each after the last one's answer.
    const waiting: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    const releaseAll = () => {
      clearTimeout(timer);
      timer = undefined;
      for (const go of waiting.splice(0)) go();
    };
    await context.route('**/v1/auth/refresh', async (route) => {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length >= 3) releaseAll();
        else timer ??= setTimeout(releaseAll, 750);
      });
      await route.continue();
    });

    const tabs = await Promise.all([1, 2, 3].map(() => context.newPage()));
    await Promise.all(tabs.map((tab) => tab.goto(`${base}/account`)));
    const landed = await Promise.all(tabs.map(landing));
    expect(landed).toEqual(
      Array.from({ length: 3 }, () => ({ path: '/account', heading: 'Account' })),
    );
    expect(refreshes).toEqual([200, 200, 200]);

    // Reloaded, the first tab resumes the session the others kept alive; then all three at once
    // again, with nothing holding their refreshes back this time.
    await context.unroute('**/v1/auth/refresh');
    await first.reload();
    expect(await landing(first)).toEqual({ path: '/', heading: 'Home' });
    await Promise.all(tabs.map((tab) => tab.reload()));
    expect(await Promise.all(tabs.map(landing))).toEqual(landed);
    expect(refreshes).toEqual([200, 200, 200, 200, 200, 200, 200]);
  });

  it("shows the next seller in the tab none of the last one's data, nor their last page, after an admin ended the last one's session", async () => {
    const alice = await newUser(api, 'alice');
    await fund(api, alice, 4);
    const bob = await newUser(api, 'bob');
    const admin = await newAdmin(api);
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await signIn(page, alice);
    await expect(page.getByTestId('balance').textContent()).resolves.toBe('7 credits');

    const ended = await api
      .http()
      .post(`/v1/admin/users/${alice.id}/sessions/end`)
      .set(...bearer(admin.accessToken))
      .send({ reason: 'support asked to sign this seller out' });
    expect(ended.status).toBe(200);
    // Her next page finds out: its request is refused, and so is the refresh.
    await page.getByRole('link', { name: 'Gallery', exact: true }).click();
    await page.getByText('Your session ended. Please sign in again.').waitFor();
    expect(pathOf(page.url())).toBe('/sign-in');

    // Bob's balance waits until it is let through: until then the page can only show a cache.
    let letBalanceThrough: () => void = () => {};
    const balanceHeld = new Promise<void>((resolve) => (letBalanceThrough = resolve));
    let balanceAsked: () => void = () => {};
    const asked = new Promise<void>((resolve) => (balanceAsked = resolve));
    await page.route('**/v1/credits/balance', async (route) => {
      balanceAsked();
      await balanceHeld;
      await route.continue();
    });

    await signIn(page, bob);
    expect(await landing(page)).toEqual({ path: '/', heading: 'Home' });
    await asked;
    await expect(page.getByTestId('balance').count()).resolves.toBe(0);
    await expect(page.getByText('7 credits').count()).resolves.toBe(0);
    letBalanceThrough();
    await page.getByTestId('balance').waitFor();
    await expect(page.getByTestId('balance').textContent()).resolves.toBe('3 credits');

    // The same seller, whose session ends in turn, is taken back to the page they were on.
    await page.unroute('**/v1/credits/balance');
    const endBob = await api
      .http()
      .post(`/v1/admin/users/${bob.id}/sessions/end`)
      .set(...bearer(admin.accessToken))
      .send({ reason: 'support asked to sign this seller out' });
    expect(endBob.status).toBe(200);
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByText('Your session ended. Please sign in again.').waitFor();
    await signIn(page, bob);
    expect(await landing(page)).toEqual({ path: '/account', heading: 'Account' });
  });
});
