import { domainToASCII } from 'node:url';

/**
 * The one normal form of an email address: trimmed, compatibility-normalised (NFKC: a
 * full-width `ａ` is `a`), lower-cased, and its domain in its ASCII (IDNA) form, which also
 * drops the invisible characters IDNA ignores. Two spellings of one mailbox are one address, so
 * one account and one count of the mail it is sent.
 */
export function normalizeEmail(email: string): string {
  const lowered = email.trim().normalize('NFKC').toLowerCase();
  const at = lowered.lastIndexOf('@');
  if (at < 0) return lowered;
  const domain = domainToASCII(lowered.slice(at + 1));
  // An invalid domain stays as it was, for the address check to refuse.
  return domain ? `${lowered.slice(0, at + 1)}${domain}` : lowered;
}

/**
 * The addresses we accept, in normal form: a dot-atom local part of ASCII letters, digits and
 * RFC 5322's `atext` symbols (no quoted local parts, backslashes, spaces, control or non-ASCII
 * characters: what would let one mailbox have many spellings, or a header break a line), `@`, and
 * a domain of at least two ASCII labels.
 */
export const EMAIL_PATTERN =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9](-*[a-z0-9])*\.)+[a-z0-9](-*[a-z0-9])*$/;

/** The longest email address we store (RFC 5321's path limit; the column is varchar(254)). */
export const EMAIL_MAX_LENGTH = 254;
