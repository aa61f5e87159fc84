import { EMAIL_PATTERN, normalizeEmail } from './email-address';

const accepted = (raw: string): boolean => EMAIL_PATTERN.test(normalizeEmail(raw));

describe('email addresses', () => {
  it('gives every spelling of one mailbox one normal form', () => {
    for (const spelling of [
      'alice@example.com',
      '  Alice@Example.COM ',
      'ａｌｉｃｅ@example.com',
      'alice@ｅｘａｍｐｌｅ.com',
      'alice@example.com\u200b',
      'alice@exam\u00adple.com',
      'alice@example.com\ufe0f',
    ])
      expect({ spelling, normal: normalizeEmail(spelling) }).toEqual({
        spelling,
        normal: 'alice@example.com',
      });
  });

  it('keeps an international domain, in its ASCII form', () => {
    expect(normalizeEmail('seller@bücher.example')).toBe('seller@xn--bcher-kva.example');
    expect(accepted('seller@bücher.example')).toBe(true);
  });

  it.each([
    'plain@example.com',
    'first.last+tag@sub.example.co',
    "o'brien@example.com",
    'x_y-z@a-b.example',
  ])('accepts %s', (address) => {
    expect(accepted(address)).toBe(true);
  });

  it.each([
    ['a quoted local part', '"alice"@example.com'],
    ['a quoted part with a line break', '"a\r\nBcc: evil@x.test"@example.com'],
    ['a backslash', '\\alice@example.com'],
    ['an invisible character in the local part', 'al\u200bice@example.com'],
    ['a non-ASCII local part', 'müller@example.com'],
    ['a space', 'al ice@example.com'],
    ['a leading dot', '.alice@example.com'],
    ['two dots', 'al..ice@example.com'],
    ['no domain dot', 'alice@localhost'],
    ['a domain label ending in a hyphen', 'alice@example-.com'],
    ['two @', 'a@b@example.com'],
  ])('refuses %s', (_label, address) => {
    expect(accepted(address)).toBe(false);
  });
});
