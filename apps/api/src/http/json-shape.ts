/** Limits of a JSON body, checked on its text before it is parsed. */
export interface JsonLimits {
  maxDepth: number;
  /** Members of one object or elements of one array. */
  maxKeys: number;
  /** Members and elements of the whole body, every object and array together. */
  maxMembers: number;
  /** Characters of one string (escapes count as the one character they stand for). */
  maxStringLength: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** JSON's own white space: space, tab, line feed, carriage return. */
const isJsonSpace = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** `\uXXXX` at `index` (pointing at the `u`), or -1 when it is not four hex digits. */
function escapedCode(text: string, index: number): number {
  const hex = text.slice(index + 1, index + 5);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? Number.parseInt(hex, 16) : -1;
}

/**
 * The first reason `text` breaks a limit, or null. One pass over the characters, no recursion
 * and no allocation per member, so a body nested 10,000 deep or holding 90,000 fields is refused
 * after reading only as far as the first breach, before `JSON.parse` ever sees it.
 *
 * It is not a JSON validator: malformed text that breaks no limit passes, and `JSON.parse`
 * refuses it next. Strings (keys included) may not hold NUL or a lone UTF-16 surrogate,
 * written raw or as a `\u` escape: PostgreSQL refuses the first, and the second is not text.
 */
export function jsonShapeProblem(text: string, limits: JsonLimits): string | null {
  // Per open container: true for an object; its member count is kept beside it.
  const isObject: boolean[] = [];
  const members: number[] = [];
  let total = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      let chars = 0;
      i += 1;
      for (;;) {
        if (i >= length) return null; // unterminated: JSON.parse says so
        let c = text.charCodeAt(i);
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          if (text.charCodeAt(i + 1) === 0x75 /* u */) {
            c = escapedCode(text, i + 1);
            i += 6;
            if (c === 0) return 'a string holds a NUL character';
            if (isHighSurrogate(c)) {
              const next =
                text.charCodeAt(i) === BACKSLASH && text.charCodeAt(i + 1) === 0x75
                  ? escapedCode(text, i + 1)
                  : -1;
              if (!isLowSurrogate(next)) return 'a string holds a lone UTF-16 surrogate';
              i += 6;
              chars += 1;
            } else if (isLowSurrogate(c)) {
              return 'a string holds a lone UTF-16 surrogate';
            }
          } else {
            i += 2;
          }
        } else {
          if (c === 0) return 'a string holds a NUL character';
          if (isHighSurrogate(c)) {
            if (!isLowSurrogate(text.charCodeAt(i + 1)))
              return 'a string holds a lone UTF-16 surrogate';
            i += 1;
          } else if (isLowSurrogate(c)) {
            return 'a string holds a lone UTF-16 surrogate';
          }
          i += 1;
        }
        chars += 1;
        if (chars > limits.maxStringLength)
          return `a string is longer than ${limits.maxStringLength} characters`;
      }
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (isObject.length >= limits.maxDepth)
        return `the body nests deeper than ${limits.maxDepth} levels`;
      isObject.push(code === OPEN_OBJECT);
      members.push(0);
      // An array's first element has no comma before it: counted here, unless it is empty.
      if (code === OPEN_ARRAY) {
        let next = i + 1;
        while (next < length && isJsonSpace(text.charCodeAt(next))) next += 1;
        if (text.charCodeAt(next) !== CLOSE_ARRAY) total += 1;
        if (total > limits.maxMembers)
          return `the body holds more than ${limits.maxMembers} members in all`;
      }
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      isObject.pop();
      members.pop();
    } else if (code === COLON || code === COMMA) {
      const top = isObject.length - 1;
      // An object gains a member at each colon; an array an element at each comma (plus its first).
      if (top >= 0 && isObject[top] === (code === COLON)) {
        const count = (members[top] ?? 0) + 1;
        members[top] = count;
        if (count + (code === COMMA ? 1 : 0) > limits.maxKeys) {
          return `an ${isObject[top] ? 'object has' : 'array has'} more than ${limits.maxKeys} members`;
        }
        // Many objects each within maxKeys add up: a body's values are copied and validated
        // one by one after it is parsed, so the whole is bounded too.
        total += 1;
        if (total > limits.maxMembers)
          return `the body holds more than ${limits.maxMembers} members in all`;
      }
    } else if (code === 0) {
      return 'the body holds a NUL character';
    }
    i += 1;
  }
  return null;
}
