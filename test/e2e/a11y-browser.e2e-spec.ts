/**
 * Accessibility of the SPA in headless Chromium, against the real API serving the built SPA and
 * the real worker, on a database of the suite's own: every page a signed-out visitor, a seller
 * (with a finished job, a batch, a webhook endpoint with deliveries, an API key and credit
 * history) and an admin (every console tab, a user's page, the abuse flags) sees, on a desktop in
 * English and on a 375 px wide phone in Turkish. On each page:
 *
 * - axe-core (the engine, injected into the page) with the WCAG 2.1 A and AA rules: every serious
 *   or critical violation is listed with its rule, the selectors it hit and the page; plus the
 *   structure rules (one main landmark, an `<h1>`, heading order, content in landmarks, landmarks
 *   named apart), whose every violation is listed;
 * - `<html lang>` is the language chosen;
 * - the `<title>` names the page (it holds the page's `<h1>`), and no two pages share one;
 * - walking the page with Tab, every element that takes focus shows an outline (on itself, its
 *   parent or the sibling that draws it) and is on screen;
 * - the page does not scroll sideways (`scrollWidth <= innerWidth`).
 *
 * Then the main flows with the keyboard alone: choosing the language, signing in, a new shot
 * from picking the photo to its job page, the phone's menu, and the confirm dialogs (a seller's
 * and an admin's): open, Escape closes, focus goes back to the button that opened it.
 *
 * axe is added with `page.addScriptTag` (an inline script), so the browser contexts bypass the
 * API's Content-Security-Policy; the other browser suites hold the app to that policy.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from 'axe-core';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { repoRoot } from '@jewelshot/platform';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { en } from '../../apps/web/src/i18n/en';
import { fund, submit, upload, waitTerminal } from '../support/ai';
import { type TestApi } from '../support/app';
import { launchChromium, transitionsEnded } from '../support/chromium';
import { loadConfig } from '../support/config';
import { bearer, newAdmin, newApiKey, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { startSpaApi } from '../support/spa-api';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const SHOTS = join(repoRoot(), 'test-results');
const AXE_SCRIPT = require.resolve('axe-core/axe.min.js');

/** WCAG 2.1 A and AA, and the structure rules axe files under best practice. */
const AXE_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  rules: {
    'landmark-one-main': { enabled: true },
    'landmark-unique': { enabled: true },
    'page-has-heading-one': { enabled: true },
    'heading-order': { enabled: true },
    region: { enabled: true },
  },
  resultTypes: ['violations'],
};
/** The structure rules are moderate in axe: they fail here whatever their impact. */
const ALWAYS_FAIL = new Set(Object.keys(AXE_OPTIONS.rules ?? {}));

// The SPA's own strings, so the test reads each page in the language it chose. tr.ts is
// compiled with the SPA's settings (its extensionless import is refused by the root project's
// node resolution), so it is loaded at run time, in en's shape (which tr.ts is typed to).
const { tr } = jest.requireActual<{ tr: typeof en }>('../../apps/web/src/i18n/tr');
const STRINGS = { en, tr } as const;
type Lang = keyof typeof STRINGS;
type Strings = (typeof STRINGS)[Lang];

interface Setup {
  name: string;
  lang: Lang;
  viewport: { width: number; height: number };
}
const DESKTOP: Setup = { name: 'desktop', lang: 'en', viewport: { width: 1280, height: 900 } };
const PHONE: Setup = { name: 'phone', lang: 'tr', viewport: { width: 375, height: 812 } };
const SETUPS = [DESKTOP, PHONE];

/** A name that starts with `text` (a radio's label goes on with its price). */
const startsWith = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/** i18next's `{{name}}` placeholders filled in. */
const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(values[key] ?? ''));

/** What a page shows when it is there: its `<h1>`, and anything else worth waiting for. */
interface Visit {
  path: string;
  heading: (s: Strings) => string;
  ready?: (page: Page, s: Strings) => Promise<void>;
}

jest.setTimeout(300_000);

describe('accessibility of the SPA in a browser (axe-core, WCAG 2.1 A/AA)', () => {
  let db: SuiteDatabase;
  let api: TestApi;
  let worker: WorkerApp;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let base: string;
  let seller: TestUser;
  let admin: TestUser;
  let flagged: TestUser;
  let jobId: string;
  let batchId: string;
  const BATCH_NAME = 'Summer rings';
  const KEY_NAME = 'Shop integration';
  const contexts: BrowserContext[] = [];

  // ---------------------------------------------------------------- the checks of one page

  /** Everything a page got wrong, as lines naming the page: one test lists them all at once. */
  let findings: string[] = [];
  /** Per setup and role: each title and the page that has it. */
  let titles = new Map<string, string>();

  const pathOf = (page: Page) => {
    const url = new URL(page.url());
    return `${url.pathname}${url.search}`;
  };

  /** The page has finished loading: its heading is there and nothing says "Loading…". */
  const settle = async (page: Page, s: Strings, visit: Visit) => {
    await page.getByRole('heading', { level: 1, name: visit.heading(s), exact: true }).waitFor();
    await visit.ready?.(page, s);
    await page.waitForFunction(
      (loading) =>
        !(
          globalThis as unknown as { document: { body: { innerText: string } } }
        ).document.body.innerText.includes(loading),
      s.app.loading,
    );
  };

  const axeViolations = async (page: Page) => {
    await page.addScriptTag({ path: AXE_SCRIPT });
    return page.evaluate(async (options) => {
      const { axe, document } = globalThis as unknown as {
        document: unknown;
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{
            violations: {
              id: string;
              impact?: string | null;
              help: string;
              nodes: { target: unknown[]; failureSummary?: string }[];
            }[];
          }>;
        };
      };
      const result = await axe.run(document, options);
      return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? 'none',
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
        why: violation.nodes[0]?.failureSummary?.replace(/\s+/g, ' ') ?? '',
      }));
    }, AXE_OPTIONS);
  };

  /** Runs in the page: what is focused, and whether it (or what draws its ring) shows an outline. */
  const focusedNow = (page: Page) =>
    page.evaluate(() => {
      type El = {
        tagName: string;
        id: string;
        parentElement: El | null;
        nextElementSibling: El | null;
        textContent: string | null;
        getAttribute: (name: string) => string | null;
        getBoundingClientRect: () => {
          width: number;
          height: number;
          top: number;
          bottom: number;
          left: number;
          right: number;
        };
        labels?: { textContent: string | null }[];
      };
      const g = globalThis as unknown as {
        document: { activeElement: El | null; body: El };
        innerWidth: number;
        innerHeight: number;
        getComputedStyle: (el: El) => {
          outlineStyle: string;
          outlineWidth: string;
          opacity: string;
        };
        __a11ySeen?: El[];
      };
      const el = g.document.activeElement;
      if (!el || el === g.document.body) return null;
      const seen = (g.__a11ySeen ??= []);
      const again = seen.includes(el);
      seen.push(el);
      // An outline that can be seen: on a box with a size, not transparent.
      const outlined = (candidate: El | null) => {
        if (!candidate) return false;
        const style = g.getComputedStyle(candidate);
        const { width, height } = candidate.getBoundingClientRect();
        if (style.outlineStyle === 'none' || style.opacity === '0' || !width || !height)
          return false;
        return style.outlineStyle === 'auto' || parseFloat(style.outlineWidth) >= 2;
      };
      // What draws the ring: the element, or the box around it (a password field), or the
      // label after a visually hidden input (a switch, a segmented control).
      const ring = [el, el.parentElement, el.nextElementSibling].find(outlined) ?? null;
      const own = el.getBoundingClientRect();
      const rect = own.width > 0 && own.height > 0 ? own : (ring ?? el).getBoundingClientRect();
      const name = (
        el.getAttribute('aria-label') ??
        el.labels?.[0]?.textContent ??
        el.textContent ??
        el.getAttribute('name') ??
        ''
      )
        .trim()
        .slice(0, 50);
      return {
        again,
        what: `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> "${name}"`,
        indicated: ring !== null,
        box: `${Math.round(rect.left)},${Math.round(rect.top)} ${Math.round(rect.width)}×${Math.round(rect.height)} in ${g.innerWidth}×${g.innerHeight}`,
        onScreen:
          rect.width > 0 &&
          rect.height > 0 &&
          rect.right > 0 &&
          rect.bottom > 0 &&
          rect.left < g.innerWidth &&
          rect.top < g.innerHeight,
      };
    });

  /** Tab through the page (up to 60 stops): every stop shows a focus ring and is on screen. */
  const focusProblems = async (page: Page): Promise<string[]> => {
    await page.evaluate(() => {
      (globalThis as unknown as { __a11ySeen?: unknown[] }).__a11ySeen = [];
    });
    const problems: string[] = [];
    for (let stop = 0; stop < 60; stop += 1) {
      await page.keyboard.press('Tab');
      const focused = await focusedNow(page);
      if (!focused || focused.again) break;
      if (!focused.indicated) problems.push(`no visible focus indicator on ${focused.what}`);
      if (!focused.onScreen)
        problems.push(`focus went to ${focused.what}, which is not on screen (${focused.box})`);
    }
    return problems;
  };

  /** Whether the page scrolls sideways; if it does, the widest elements that stick out. */
  const overflow = (page: Page) =>
    page.evaluate(() => {
      type El = {
        tagName: string;
        className: unknown;
        children: ArrayLike<El>;
        scrollWidth: number;
        clientWidth: number;
        getBoundingClientRect: () => { right: number };
      };
      const g = globalThis as unknown as {
        document: {
          documentElement: { scrollWidth: number };
          querySelectorAll: (selector: string) => ArrayLike<El>;
        };
        innerWidth: number;
      };
      const width = g.document.documentElement.scrollWidth;
      if (width <= g.innerWidth) return null;
      // An element past the right edge, or one whose text runs out of its box (a long word).
      const out = (el: El) =>
        el.getBoundingClientRect().right > g.innerWidth + 1 ||
        (el.children.length === 0 && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0);
      const leaves = Array.from(g.document.querySelectorAll('body *'))
        .filter((el) => out(el) && !Array.from(el.children).some(out))
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}`);
      return { width, innerWidth: g.innerWidth, leaves };
    });

  /**
   * Every check on the page as it is now. `title: false` for a second look at a page already
   * checked (a dialog open, a panel shown): its title was counted the first time.
   */
  const check = async (page: Page, setup: Setup, label: string, title = true) => {
    const where = `${setup.name} ${label} (${pathOf(page)})`;
    const found = findings.length;
    await transitionsEnded(page);
    for (const violation of await axeViolations(page)) {
      if (
        violation.impact === 'serious' ||
        violation.impact === 'critical' ||
        ALWAYS_FAIL.has(violation.id)
      )
        findings.push(
          `${where}: axe ${violation.id} (${violation.impact}) ${violation.help}: ${violation.targets.slice(0, 6).join(' | ')} (${violation.why})`,
        );
    }
    const { lang, documentTitle, h1 } = await page.evaluate(() => {
      const { document } = globalThis as unknown as {
        document: {
          title: string;
          documentElement: { lang: string };
          querySelector: (s: string) => { textContent: string | null } | null;
        };
      };
      return {
        lang: document.documentElement.lang,
        documentTitle: document.title,
        h1: document.querySelector('h1')?.textContent?.trim() ?? '',
      };
    });
    if (lang !== setup.lang) findings.push(`${where}: <html lang="${lang}">, not "${setup.lang}"`);
    if (title) {
      if (!documentTitle.includes(h1) || !documentTitle.includes('Jewelshot'))
        findings.push(`${where}: title "${documentTitle}" does not name the page ("${h1}")`);
      const other = titles.get(documentTitle);
      if (other !== undefined && other !== label)
        findings.push(`${where}: title "${documentTitle}" is also the title of ${other}`);
      titles.set(documentTitle, label);
    }
    const wide = await overflow(page);
    if (wide)
      findings.push(
        `${where}: the page scrolls sideways (${wide.width} px wide in ${wide.innerWidth} px), sticking out: ${wide.leaves.join(', ')}`,
      );
    for (const problem of await focusProblems(page)) findings.push(`${where}: ${problem}`);
    // A picture of a page that got something wrong, to see it by.
    if (findings.length > found)
      await page.screenshot({
        path: join(SHOTS, `a11y-${setup.name}-${label.replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
  };

  const visitAndCheck = async (page: Page, setup: Setup, visit: Visit, label = visit.path) => {
    await page.goto(`${base}${visit.path}`);
    try {
      await settle(page, STRINGS[setup.lang], visit);
    } catch (error) {
      // What the page shows instead, to see why it never settled.
      await page
        .screenshot({ path: join(SHOTS, `a11y-${setup.name}-unsettled.png`), fullPage: true })
        .catch(() => undefined);
      const shown = await page
        .locator('body')
        .innerText()
        .catch(() => '');
      throw new Error(
        `${visit.path} did not settle at ${pathOf(page)}, showing: ${shown.slice(0, 400)}`,
        { cause: error },
      );
    }
    await check(page, setup, label);
  };

  // ---------------------------------------------------------------- browsers and sessions

  const newPage = async (setup: Setup): Promise<Page> => {
    const context = await browser.newContext({ viewport: setup.viewport, bypassCSP: true });
    contexts.push(context);
    await context.addInitScript((lang) => {
      (
        globalThis as unknown as { localStorage: { setItem: (k: string, v: string) => void } }
      ).localStorage.setItem('jewelshot.language', lang);
    }, setup.lang);
    return context.newPage();
  };

  const signIn = async (page: Page, setup: Setup, user: TestUser) => {
    const s = STRINGS[setup.lang];
    await page.goto(`${base}/sign-in`);
    await page.getByLabel(s.auth.email).fill(user.email);
    await page.getByRole('textbox', { name: s.auth.password }).fill(user.password);
    await page.getByRole('button', { name: s.auth.signIn, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: s.home.title }).waitFor();
  };

  /** Whether `target` has focus, or (`within`) holds the element that has it. */
  const hasFocus = (target: Locator, within = false) =>
    target.evaluate((el, inside) => {
      const node = el as unknown as {
        ownerDocument: { activeElement: unknown };
        contains: (other: unknown) => boolean;
      };
      const active = node.ownerDocument.activeElement;
      return inside ? node.contains(active) : node === active;
    }, within);

  /**
   * Whether focus lands on `target` within `timeoutMs`: a closing dialog hands focus back to its
   * button a moment after it leaves the page (Mantine's focus return runs on a timer), which a
   * loaded machine can stretch.
   */
  const focusLandsOn = async (target: Locator, timeoutMs = 3000) => {
    for (const until = Date.now() + timeoutMs; ;) {
      if (await hasFocus(target)) return true;
      if (Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Presses Tab until `target` has focus (at most `max` times); fails if it never does. */
  const tabTo = async (page: Page, target: Locator, max = 40) => {
    for (let i = 0; i < max; i += 1) {
      await page.keyboard.press('Tab');
      if (await hasFocus(target)) return;
    }
    throw new Error(`Tab never reached ${target.toString()}`);
  };

  // ---------------------------------------------------------------- the data they see

  let photo: Buffer;
  const pngFile = (name: string) => ({ name, mimeType: 'image/png', buffer: photo });

  const uploadPng = async (user: TestUser, width: number) => {
    const res = await upload(api, user, await smallPng(width, 48));
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    photo = await smallPng(80, 60);
    db = await suiteDatabase('a11y');
    const started = await startSpaApi(() => ({
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('a11y'),
      SIGNUP_CREDITS: '3',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    }));
    ({ api, base } = started);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...started.env }));
    receiver = await startWebhookReceiver();
    browser = await launchChromium();

    // A seller with a webhook endpoint (its deliveries come from the jobs below), an API key,
    // a finished job, a finished batch, and credit history (a grant, charges).
    seller = await newUser(api, 'a11y-seller');
    await fund(api, seller, 20);
    const hook = await api
      .http()
      .post('/v1/webhooks')
      .set(...bearer(seller.accessToken))
      .send({ url: `${receiver.url}/hooks`, events: ['job.succeeded'], description: 'Shop' });
    if (hook.status !== 201)
      throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
    await newApiKey(api, seller, ['jobs:read', 'jobs:write'], KEY_NAME);
    const job = await submit(api, seller, {
      operation: 'remove-background',
      params: { inputImageId: await uploadPng(seller, 64) },
    });
    if (job.status !== 202) throw new Error(`job: ${job.status} ${JSON.stringify(job.body)}`);
    jobId = (job.body as { id: string }).id;
    const batch = await api
      .http()
      .post('/v1/batches')
      .set(...bearer(seller.accessToken))
      .send({
        name: BATCH_NAME,
        operation: 'remove-background',
        params: {},
        inputImageIds: [await uploadPng(seller, 65), await uploadPng(seller, 66)],
      });
    if (batch.status !== 202 && batch.status !== 201)
      throw new Error(`batch: ${batch.status} ${JSON.stringify(batch.body)}`);
    batchId = (batch.body as { id: string }).id;
    const items = (await api.db.query('SELECT id FROM ai_jobs WHERE user_id = $1', [
      seller.id,
    ])) as { id: string }[];
    await waitTerminal(
      api,
      items.map((item) => item.id),
    );
    await receiver.waitFor(1);

    // An admin, and a user the abuse scoring flagged (as the worker leaves one).
    admin = await newAdmin(api);
    flagged = await newUser(api, 'a11y-flagged');
    await api.db.query(`UPDATE users SET priority_tier = 'low' WHERE id = $1`, [flagged.id]);
    await api.db.query(
      `INSERT INTO abuse_flags (id, user_id, status, score, signals, previous_tier)
       VALUES ($1, $2, 'open', 84, $3::jsonb, 'normal')`,
      [
        randomUUID(),
        flagged.id,
        JSON.stringify([
          {
            signal: 'accounts-per-address',
            value: 60,
            reason: '4 accounts from one address in 24 h',
            evidence: { count: 4 },
          },
          {
            signal: 'rapid-fire',
            value: 50,
            reason: '6 submits in 5 minutes',
            evidence: { submits: 6 },
          },
        ]),
      ],
    );
  }, 300_000);

  beforeEach(() => {
    findings = [];
    titles = new Map();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    // What the test's pages got wrong, all of it: listed even when a later step failed.
    expect(findings).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await receiver?.close();
    await api?.close();
    await db?.drop();
  });

  // ---------------------------------------------------------------- the pages

  const VISITOR_PAGES: Visit[] = [
    { path: '/sign-in', heading: (s) => s.auth.signInTitle },
    { path: '/sign-up', heading: (s) => s.auth.signUpTitle },
    { path: '/forgot-password', heading: (s) => s.mail.forgotTitle },
    { path: '/reset-password?token=not-a-real-token', heading: (s) => s.mail.resetTitle },
    {
      path: '/verify-email?token=not-a-real-token',
      heading: (s) => s.mail.verifyTitle,
      ready: (page) => page.getByRole('alert').first().waitFor(),
    },
    { path: '/unsubscribe?token=not-a-real-token', heading: (s) => s.mail.unsubscribeTitle },
    { path: '/no-such-page', heading: (s) => s.pageErrors.notFoundTitle },
  ];

  const sellerPages = (): Visit[] => [
    {
      path: '/',
      heading: (s) => s.home.title,
      ready: (page) => page.getByTestId('balance').waitFor(),
    },
    { path: '/shots/new', heading: (s) => s.shot.title },
    {
      path: '/jobs',
      heading: (s) => s.app.nav.jobs,
      ready: (page) => page.getByRole('table').waitFor(),
    },
    {
      path: `/jobs/${jobId}`,
      heading: (s) => s.job.title,
      ready: async (page, s) => {
        await page.getByRole('img', { name: `${s.shot.result} 1` }).waitFor();
        // The status's live region is for screen readers: on screen, the status shows once.
        const box = await page.locator('.visually-hidden-status').boundingBox();
        if (!box || box.width > 1 || box.height > 1)
          throw new Error(`the live status region is on screen (${JSON.stringify(box)})`);
      },
    },
    {
      path: '/gallery',
      heading: (s) => s.gallery.title,
      ready: (page) => page.getByRole('img').first().waitFor(),
    },
    { path: '/files', heading: (s) => s.files.title },
    {
      path: '/batches',
      heading: (s) => s.batches.title,
      ready: (page) => page.getByRole('table').waitFor(),
    },
    {
      path: `/batches/${batchId}`,
      heading: () => BATCH_NAME,
      ready: (page) => page.getByRole('img').first().waitFor(),
    },
    {
      path: '/credits',
      heading: (s) => s.app.nav.credits,
      ready: (page) => page.getByRole('table').nth(1).waitFor(),
    },
    {
      path: '/account',
      heading: (s) => s.account.title,
      ready: (page) => page.getByRole('switch').first().waitFor(),
    },
    {
      path: '/account/webhooks',
      heading: (s) => s.webhooks.title,
      ready: (page) => page.getByTestId('webhook-endpoint').waitFor(),
    },
    {
      path: '/account/api-keys',
      heading: (s) => s.apiKeys.title,
      ready: (page) => page.getByRole('table').waitFor(),
    },
    { path: '/no-such-page', heading: (s) => s.pageErrors.notFoundTitle },
  ];

  const ADMIN_TABS = ['users', 'jobs', 'queues', 'prices', 'ledger', 'audit'] as const;
  const adminPages = (): Visit[] => [
    ...ADMIN_TABS.map((tab): Visit => ({
      path: tab === 'users' ? '/admin' : `/admin?tab=${tab}`,
      heading: (s) => s.admin.title,
      ready: async (page, s) => {
        await page.getByRole('tab', { name: s.admin.tabs[tab], selected: true }).waitFor();
        await page.getByRole('tabpanel').waitFor();
      },
    })),
    {
      path: `/admin/users/${seller.id}`,
      heading: (s) => fill(s.admin.user.title, { email: seller.email }),
      ready: (page) => page.getByTestId('admin-balance').waitFor(),
    },
    {
      path: '/admin/abuse',
      heading: (s) => s.admin.abuse.title,
      ready: (page) => page.getByRole('article').first().waitFor(),
    },
  ];

  describe.each(SETUPS)('on a $name in $lang', (setup) => {
    it('checks every page a signed-out visitor sees, and the forms with their errors', async () => {
      const page = await newPage(setup);
      const s = STRINGS[setup.lang];
      for (const visit of VISITOR_PAGES) await visitAndCheck(page, setup, visit);

      // A refused sign-in, and a sign-up whose fields the API refused (errors under the fields).
      await page.goto(`${base}/sign-in`);
      await page.getByLabel(s.auth.email).fill('nobody@example.test');
      await page.getByRole('textbox', { name: s.auth.password }).fill('not-the-password-42');
      await page.getByRole('button', { name: s.auth.signIn, exact: true }).click();
      await page.getByRole('alert').waitFor();
      await check(page, setup, 'sign-in refused', false);
      await page.goto(`${base}/sign-up`);
      await page.getByLabel(s.auth.email).fill('not-an-address');
      await page.getByRole('textbox', { name: s.auth.password }).fill('short');
      await page.getByRole('button', { name: s.auth.signUp, exact: true }).click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
      await check(page, setup, 'sign-up refused', false);
    });

    it("checks every page a seller sees, with the seller's data, a panel and a dialog open", async () => {
      const page = await newPage(setup);
      const s = STRINGS[setup.lang];
      await signIn(page, setup, seller);
      for (const visit of sellerPages()) await visitAndCheck(page, setup, visit);

      // The new-shot form with a photo picked, and the fields of each kind of shot.
      await page.goto(`${base}/shots/new`);
      await page.locator('input[type=file]').setInputFiles(pngFile('ring.png'));
      await page.getByRole('img', { name: s.shot.preview }).waitFor();
      await check(page, setup, 'new shot, photo picked', false);
      for (const operation of ['upscale', 'generate'] as const) {
        await page.getByRole('radio', { name: startsWith(s.operation[operation]) }).check();
        await check(page, setup, `new shot, ${operation}`, false);
      }

      // A batch's photos, picked.
      await page.goto(`${base}/batches`);
      await page.locator('input[type=file]').setInputFiles([pngFile('a.png'), pngFile('b.png')]);
      await page
        .getByRole('button', { name: fill(s.batches.removePhoto, { name: 'b.png' }) })
        .waitFor();
      await check(page, setup, 'batch, photos picked', false);

      // The webhook endpoint's deliveries, shown.
      await page.goto(`${base}/account/webhooks`);
      await page.getByRole('button', { name: s.webhooks.deliveries, exact: true }).click();
      await page.getByRole('table', { name: s.webhooks.deliveries }).waitFor();
      await check(page, setup, 'webhook deliveries', false);

      // A confirm dialog open.
      await page.goto(`${base}/account/api-keys`);
      await page
        .getByRole('button', { name: fill(s.apiKeys.revokeNamed, { name: KEY_NAME }) })
        .click();
      await page.getByRole('dialog').waitFor();
      await check(page, setup, 'revoke dialog', false);

      // The phone's menu, open.
      if (setup === PHONE) {
        await page.goto(`${base}/`);
        await page.getByRole('button', { name: s.app.menu }).click();
        await page.getByRole('navigation').getByRole('link', { name: s.app.nav.credits }).waitFor();
        await check(page, setup, 'menu open', false);
      }
    });

    it('checks every page an admin sees: the console tabs, a user, the abuse flags, a reason dialog', async () => {
      const page = await newPage(setup);
      const s = STRINGS[setup.lang];
      await signIn(page, setup, admin);
      for (const visit of adminPages()) await visitAndCheck(page, setup, visit);

      await page.goto(`${base}/admin/users/${seller.id}`);
      await page.getByTestId('admin-balance').waitFor();
      await page.getByRole('button', { name: s.admin.user.ban, exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await check(page, setup, 'ban dialog', false);
    });
  });

  // ---------------------------------------------------------------- the keyboard alone

  describe('with the keyboard alone', () => {
    it('chooses the language: <html lang> and the title follow it', async () => {
      const page = await newPage(DESKTOP);
      await page.goto(`${base}/sign-in`);
      await page.getByRole('heading', { level: 1, name: en.auth.signInTitle }).waitFor();
      const english = await page.title();
      const language = page.getByRole('combobox', { name: en.app.language });
      await tabTo(page, language);
      await page.keyboard.press('ArrowDown');
      await page.getByRole('heading', { level: 1, name: tr.auth.signInTitle }).waitFor();
      expect(
        await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { lang: string } } }).document
              .documentElement.lang,
        ),
      ).toBe('tr');
      expect(await page.title()).not.toBe(english);
      expect(await page.title()).toContain(tr.auth.signInTitle);
      await page.keyboard.press('ArrowUp');
      await page.getByRole('heading', { level: 1, name: en.auth.signInTitle }).waitFor();
      expect(
        await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { lang: string } } }).document
              .documentElement.lang,
        ),
      ).toBe('en');
      expect(await page.title()).toBe(english);
    });

    it('signs in', async () => {
      const page = await newPage(DESKTOP);
      await page.goto(`${base}/sign-in`);
      await page.getByRole('heading', { level: 1, name: en.auth.signInTitle }).waitFor();
      await tabTo(page, page.getByLabel(en.auth.email));
      await page.keyboard.type(seller.email);
      await page.keyboard.press('Tab');
      expect(await hasFocus(page.getByRole('textbox', { name: en.auth.password }))).toBe(true);
      await page.keyboard.type(seller.password);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: en.home.title }).waitFor();
    });

    it('starts a new shot: picks the photo, submits, and hears its status', async () => {
      const page = await newPage(DESKTOP);
      // Listened for from the start: Playwright turns the browser's file chooser interception on
      // without waiting for it, and a key pressed right after could open the native one first.
      const chooser = page.waitForEvent('filechooser', { timeout: 60_000 });
      chooser.catch(() => undefined);
      await signIn(page, DESKTOP, seller);
      await page.goto(`${base}/shots/new`);
      await page.getByRole('heading', { level: 1, name: en.shot.title }).waitFor();
      await tabTo(page, page.getByRole('button', { name: en.shot.pickPhoto }));
      await page.keyboard.press('Enter');
      await (await chooser).setFiles(pngFile('ring.png'));
      await page.getByRole('img', { name: en.shot.preview }).waitFor();
      const start = page.getByRole('button', { name: /^Start \(/ });
      await tabTo(page, start);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
      // The status is announced as it changes: it is in a live region.
      await page
        .locator('[aria-live="polite"], [role="status"]')
        .filter({ hasText: en.status.succeeded })
        .first()
        .waitFor({ timeout: 30_000 });
    });

    it("opens a seller's confirm dialog, Escape closes it, and focus is back on its button", async () => {
      const page = await newPage(DESKTOP);
      await signIn(page, DESKTOP, seller);
      await page.goto(`${base}/account/api-keys`);
      const revoke = page.getByRole('button', {
        name: fill(en.apiKeys.revokeNamed, { name: KEY_NAME }),
      });
      await revoke.waitFor();
      await tabTo(page, revoke);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', {
        name: fill(en.apiKeys.revokeTitle, { name: KEY_NAME }),
      });
      await dialog.waitFor();
      expect(await hasFocus(dialog, true)).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await focusLandsOn(revoke)).toBe(true);
    });

    it("opens an admin's reason dialog, Escape closes it, and focus is back on its button", async () => {
      const page = await newPage(DESKTOP);
      await signIn(page, DESKTOP, admin);
      await page.goto(`${base}/admin/users/${seller.id}`);
      const ban = page.getByRole('button', { name: en.admin.user.ban, exact: true });
      await ban.waitFor();
      await tabTo(page, ban);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: en.admin.user.ban });
      await dialog.waitFor();
      expect(await hasFocus(dialog.getByRole('textbox', { name: /^Reason/ }))).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await focusLandsOn(ban)).toBe(true);
    });

    it("opens the phone's menu and follows a link in it", async () => {
      const page = await newPage(PHONE);
      await signIn(page, PHONE, seller);
      const menu = page.getByRole('button', { name: tr.app.menu });
      await tabTo(page, menu);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await page.keyboard.press('Enter');
      const credits = page.getByRole('navigation').getByRole('link', { name: tr.app.nav.credits });
      await credits.waitFor();
      await tabTo(page, credits);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: tr.app.nav.credits }).waitFor();
      await expect(credits.isVisible()).resolves.toBe(false);
      // The link is gone with the menu: focus is on the new page, as after a page load, and the
      // next Tab goes into it.
      expect(await hasFocus(page.getByRole('main'))).toBe(true);
      await page.keyboard.press('Tab');
      expect(await hasFocus(page.getByRole('main'), true)).toBe(true);
    });
  });
});
