import { chromium, type Browser } from 'playwright-core';

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
