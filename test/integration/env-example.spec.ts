import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@jewelshot/platform';
import { ALL_CONFIG_SECTIONS } from '../support/config';
import { platformConfig } from '@jewelshot/platform';

describe('.env.example', () => {
  it('lists exactly the variables the config reads', () => {
    const listed = readFileSync(join(repoRoot(), '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    const declared = [platformConfig, ...ALL_CONFIG_SECTIONS].flatMap((section) =>
      Object.keys(new section.variables()),
    );
    expect(listed.sort()).toEqual([...new Set(declared)].sort());
  });
});
