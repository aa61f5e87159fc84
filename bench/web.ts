/**
 * npm run bench:web — the built SPA's initial download (entry script, its modulepreloads and
 * stylesheets from index.html, gzipped; budget 250 KB of JS), then in headless Chromium against
 * the API serving that build (production mode, a throwaway database, the worker with the local
 * provider at 0 ms): the median of 5 runs of the sign-in page's first contentful paint, and of the
 * time from pressing Start on a new shot to the result image shown. Figures, not assertions.
 */
import 'reflect-metadata';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { repoRoot } from '@jewelshot/platform';
import { benchApiEnv, createBenchDatabase, dropBenchDatabase, waitFor } from './support';

const API_PORT = 38291;
const RUNS = 5;
const JS_BUDGET_KB = 250;
const PASSWORD = 'violet-harbour-lantern-42';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** Gzipped bytes of what index.html makes the browser fetch before the first page renders. */
function initialSize(dist: string): { js: number; css: number; files: string[] } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const refs = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g),
  ].map((match) => match[1] ?? '');
  let js = 0;
  let css = 0;
  for (const ref of new Set(refs)) {
    const bytes = gzipSync(readFileSync(join(dist, ref.replace(/^\//, ''))), { level: 9 }).length;
    if (ref.endsWith('.css')) css += bytes;
    else js += bytes;
  }
  return { js, css, files: [...new Set(refs)] };
}

async function firstContentfulPaint(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  await page.getByRole('heading', { name: 'Sign in to Jewelshot' }).waitFor();
  const paint = await page.waitForFunction(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
  );
  return Number(await paint.jsonValue());
}

async function main(): Promise<void> {
  const root = repoRoot();
  const dist = join(root, 'apps', 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('no SPA build: npm run build:web');
  const size = initialSize(dist);

  const { database, admin } = await createBenchDatabase();
  const storage = await mkdtemp(join(tmpdir(), 'jewelshot-bench-web-'));
  const base = `http://localhost:${API_PORT}`;
  const env = {
    ...benchApiEnv(database, API_PORT, 'warn'),
    WEB_DIST_DIR: dist,
    PUBLIC_BASE_URL: base,
    STORAGE_DIR: storage,
    LOCAL_PROVIDER_LATENCY_MS: '0',
    SIGNUP_CREDITS: '100',
  };
  const children: ChildProcess[] = [];
  const fcp: number[] = [];
  const toResult: number[] = [];
  const photo = await sharp({
    create: { width: 1024, height: 768, channels: 3, background: { r: 200, g: 170, b: 90 } },
  })
    .png()
    .toBuffer();
  try {
    const migrated = spawnSync(
      process.execPath,
      [join(root, 'dist', 'apps', 'cli', 'src', 'migrate.js')],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    for (const app of ['api', 'worker']) {
      children.push(
        spawn(process.execPath, [join(root, 'dist', 'apps', app, 'src', 'main.js')], {
          env,
          stdio: 'ignore',
        }),
      );
    }
    await waitFor(`${base}/health/live`);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the worker's start

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      // One warm-up visit (the API's first static reads), then fresh contexts: a cold browser cache.
      for (let run = 0; run <= RUNS; run += 1) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const paint = await firstContentfulPaint(page, `${base}/sign-in`);
        if (run > 0) fcp.push(paint);
        await context.close();
      }

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/sign-up`);
      await page.getByLabel('Email').fill(`bench-web-${Date.now()}@example.test`);
      await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Home' }).waitFor();
      for (let run = 0; run <= RUNS; run += 1) {
        await page.goto(`${base}/shots/new`);
        await page
          .locator('input[type=file]')
          .setInputFiles({ name: 'ring.png', mimeType: 'image/png', buffer: photo });
        await page.getByRole('img', { name: 'Normalised photo' }).waitFor();
        const start = page.getByRole('button', { name: /^Start \(/ });
        await start.waitFor();
        const pressed = performance.now();
        await start.click();
        const result = page.getByRole('img', { name: 'Result 1' });
        await result.waitFor({ timeout: 60_000 });
        await page.waitForFunction(
          (element) => {
            const img = element as unknown as { complete: boolean; naturalWidth: number } | null;
            return img !== null && img.complete && img.naturalWidth > 0;
          },
          await result.elementHandle(),
        );
        if (run > 0) toResult.push(performance.now() - pressed);
      }
      await context.close();
    } finally {
      await browser.close();
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null
          ? new Promise((resolve) => child.once('exit', resolve))
          : Promise.resolve(),
      ),
    );
    await dropBenchDatabase(admin, database, env);
    await rm(storage, { recursive: true, force: true });
  }

  console.log(
    `machine: ${cpus().length} vCPU (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(`initial files: ${size.files.join(', ')}`);
  console.log(
    `initial JS ${kb(size.js)} KB gzipped (budget ${JS_BUDGET_KB} KB: ${size.js / 1024 <= JS_BUDGET_KB ? 'within' : 'OVER'}), CSS ${kb(size.css)} KB gzipped`,
  );
  console.log(
    `sign-in first contentful paint: median ${median(fcp).toFixed(0)} ms of ${RUNS} (${fcp.map((v) => v.toFixed(0)).join(', ')})`,
  );
  console.log(
    `Start pressed → result image shown: median ${median(toResult).toFixed(0)} ms of ${RUNS} (${toResult.map((v) => v.toFixed(0)).join(', ')})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
