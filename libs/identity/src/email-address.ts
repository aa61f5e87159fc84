/** The one normal form of an email address: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The longest email address we store (RFC 5321's path limit; the column is varchar(254)). */
export const EMAIL_MAX_LENGTH = 254;
