import { dictionary } from '@zxcvbn-ts/language-common';

/** How many of the most common leaked passwords we refuse (the list is ranked, most common first). */
const REFUSED_COUNT = 10_000;

// Built once, lower-cased: "Password123" is as guessable as "password123" to a cracker's rules.
const COMMON = new Set(
  dictionary['passwords-common'].slice(0, REFUSED_COUNT).map((p) => p.toLowerCase()),
);

/**
 * True when the password is one of the 10,000 most common leaked passwords (zxcvbn's ranked
 * list). The first guesses of any credential-stuffing run; length rules alone let
 * "password123" and "qwertyuiop" through.
 */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.trim().toLowerCase());
}
