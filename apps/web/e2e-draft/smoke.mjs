// Throwaway browser check (not the committed Playwright suite): sign in as the demo user, upload a
// photo, run remove-background, wait for the result, and take screenshots along the way.
// Usage: WEB_URL=http://localhost:5173 CHROMIUM=/usr/bin/chromium node apps/web/e2e-draft/smoke.mjs
import { chromium } from 'playwright-core';

const base = process.env.WEB_URL ?? 'http://localhost:5173';
const out = process.env.SHOTS_DIR ?? 'apps/web/e2e-draft/shots';
const photo = process.env.PHOTO;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('console', (message) => {
  if (message.type() === 'error') console.log('console error:', message.text());
});
try {
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill('user@jewelshot.local');
  await page.getByRole('textbox', { name: 'Password' }).fill('user-demo-password');
  await page.screenshot({ path: `${out}/1-sign-in.png` });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Home' }).waitFor();
  await page.getByTestId('balance').waitFor();
  await page.screenshot({ path: `${out}/2-home.png` });

  await page.getByRole('link', { name: 'New shot', exact: true }).click();
  await page.locator('input[type=file]').setInputFiles(photo);
  await page.getByRole('img', { name: 'Normalised photo' }).waitFor();
  await page.screenshot({ path: `${out}/3-uploaded.png` });
  await page.getByRole('button', { name: /^Start/ }).dblclick();
  await page.getByRole('link', { name: /^Download result 1/ }).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: `${out}/4-result.png`, fullPage: true });

  await page.getByRole('link', { name: 'Credits', exact: true }).click();
  await page.getByRole('table').waitFor();
  await page.screenshot({ path: `${out}/5-credits.png`, fullPage: true });

  await page.getByLabel('Language').selectOption('tr');
  await page.getByRole('heading', { name: 'Krediler' }).waitFor();
  await page.screenshot({ path: `${out}/6-credits-tr.png`, fullPage: true });
  console.log('smoke: sign-in → new shot → result works');
} catch (error) {
  await page.screenshot({ path: `${out}/failure.png`, fullPage: true });
  throw error;
} finally {
  await browser.close();
}
