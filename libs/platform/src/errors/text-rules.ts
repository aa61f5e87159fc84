/**
 * What a person's text must be, as patterns (class-validator's `@Matches`, and the OpenAPI
 * document's `pattern`): at least one letter, digit, punctuation mark or symbol (white space,
 * zero-width characters and line separators alone say nothing), and no control character
 * (C0, DEL and C1) nor bidirectional override (it would turn the text around where it is
 * shown: a key's name in an email, a batch's name in the console).
 */
const SAYS_SOMETHING = '(?=[\\s\\S]*[\\p{L}\\p{N}\\p{P}\\p{S}])';
const NO_BIDI_OVERRIDE = '(?![\\u202A-\\u202E\\u2066-\\u2069])';

/** One line of text: a name. */
export const LINE_TEXT = new RegExp(`^${SAYS_SOMETHING}(?:${NO_BIDI_OVERRIDE}[^\\p{Cc}])*$`, 'u');
export const LINE_TEXT_MESSAGE =
  '$property must have a letter, digit or sign, and no control or bidirectional characters';

/** Text that may run over lines: tab, line feed and carriage return are allowed. */
export const MULTILINE_TEXT = new RegExp(
  `^${SAYS_SOMETHING}(?:${NO_BIDI_OVERRIDE}(?:[^\\p{Cc}]|[\\t\\n\\r]))*$`,
  'u',
);
