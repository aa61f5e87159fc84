import { createHash } from 'node:crypto';

/**
 * The SHA-256 (hex) of a prompt, normalised so trivial variations hash alike: Unicode NFKC,
 * lower case, runs of white space as one space, trimmed. Only the hash leaves the job (in
 * JobSubmitted, for the duplicate-prompt signal); null when there is no prompt.
 */
export function promptHash(prompt: unknown): string | null {
  if (typeof prompt !== 'string') return null;
  const normalised = prompt.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  if (normalised === '') return null;
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}
