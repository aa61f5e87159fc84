import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const WEB = join(__dirname, '..');

describe('the page icon', () => {
  it('is a small SVG in public/ that index.html links, so browsers do not ask for /favicon.ico', () => {
    const html = readFileSync(join(WEB, 'index.html'), 'utf8');
    const link = /<link\s+rel="icon"\s+type="image\/svg\+xml"\s+href="\/([^"]+)"/.exec(html);
    expect(link?.[1]).toBe('favicon.svg');
    const icon = join(WEB, 'public', 'favicon.svg');
    expect(existsSync(icon)).toBe(true);
    expect(readFileSync(icon, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(statSync(icon).size).toBeLessThan(1024);
  });
});
