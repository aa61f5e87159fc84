import { promptHash } from './prompt-hash';

describe('promptHash', () => {
  it('hashes prompts that differ only in case, spacing or Unicode form alike', () => {
    const hash = promptHash('On a marble table, soft daylight');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(promptHash('  on a MARBLE\ttable,  soft daylight \n')).toBe(hash);
    expect(promptHash('ｏｎ a marble table, soft daylight')).toBe(hash);
  });

  it('tells different prompts apart and never returns the prompt', () => {
    const hash = promptHash('on a marble table');
    expect(hash).not.toBe(promptHash('on a wooden table'));
    expect(hash).not.toContain('marble');
  });

  it('is null without a prompt', () => {
    expect(promptHash(undefined)).toBeNull();
    expect(promptHash('   ')).toBeNull();
    expect(promptHash(42)).toBeNull();
  });
});
