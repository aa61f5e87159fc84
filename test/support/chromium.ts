import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium (CHROMIUM_PATH, else /usr/bin/chromium) for the browser suites, headless,
 * with what a test machine has no use for turned off: the sandbox (tests run as root), the GPU,
 * and the background traffic (component updates, sync) that would leave loopback.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Waits until no CSS transition or animation runs on the page: a dialog fading in has colours
 * that are neither the page's nor the dialog's, so accessibility checks look after this.
 */
export async function transitionsEnded(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    (globalThis as unknown as { document: { getAnimations(): { playState: string }[] } }).document
      .getAnimations()
      .every((animation) => animation.playState !== 'running'),
  );
}

/**
 * No serious or critical accessibility violation (axe-core) on the page as it is now, once its
 * transitions have ended; each one is listed with the selectors it hit.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await transitionsEnded(page);
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
    }));
  expect({ url: page.url(), violations: bad }).toEqual({ url: page.url(), violations: [] });
}
