import fc from 'fast-check';
import { jsonShapeProblem, type JsonLimits } from './json-shape';

const limits: JsonLimits = { maxDepth: 4, maxKeys: 3, maxMembers: 9, maxStringLength: 5 };

describe('jsonShapeProblem', () => {
  it('passes bodies within every limit', () => {
    expect(
      jsonShapeProblem('{"a":[1,2,3],"b":{"c":{"d":"hello"}},"e":"x\\"y"}', limits),
    ).toBeNull();
    expect(jsonShapeProblem('"\\ud83d\\udc8d"', limits)).toBeNull();
    expect(jsonShapeProblem('"💍💍"', limits)).toBeNull();
    expect(jsonShapeProblem('{"a:b,c":"{[,:"}', limits)).toBeNull();
  });

  it('refuses nesting past the depth, however deep, without recursion', () => {
    expect(jsonShapeProblem('[[[[1]]]]', limits)).toBeNull();
    expect(jsonShapeProblem('[[[[[1]]]]]', limits)).toMatch(/deeper than 4/);
    expect(jsonShapeProblem('['.repeat(1_000_000), limits)).toMatch(/deeper/);
  });

  it('bounds the members of the whole body too, however they are spread', () => {
    // Nine in all (a, b, c; x and y twice; c's two elements): within; a tenth anywhere is not.
    expect(jsonShapeProblem('{"a":{"x":1,"y":2},"b":{"x":1,"y":2},"c":[1,2]}', limits)).toBeNull();
    expect(jsonShapeProblem('{"a":{"x":1,"y":2},"b":{"x":1,"y":2},"c":[1,2,3]}', limits)).toMatch(
      /more than 9 members in all/,
    );
    // Arrays' first elements count, an empty array's nothing: 3 + 3 × 2 = 9, then 10.
    expect(jsonShapeProblem('[[1,2],[1,2],[ 1 ,2]]', limits)).toBeNull();
    expect(jsonShapeProblem('[[1,2],[1,2],[1,2,3]]', limits)).toMatch(/in all/);
    expect(jsonShapeProblem('[[1,2],[ ],[1,2]]', limits)).toBeNull();
  });

  it('counts members per object and per array', () => {
    expect(jsonShapeProblem('{"a":1,"b":2,"c":3}', limits)).toBeNull();
    expect(jsonShapeProblem('{"a":1,"b":2,"c":3,"d":4}', limits)).toMatch(/object has more than 3/);
    expect(jsonShapeProblem('[1,2,3]', limits)).toBeNull();
    expect(jsonShapeProblem('[1,2,3,4]', limits)).toMatch(/array has more than 3/);
    expect(jsonShapeProblem('{"a":{"x":1,"y":2},"b":[1,2,3]}', limits)).toBeNull();
  });

  it('measures strings in characters, escapes counting once', () => {
    expect(jsonShapeProblem('"abcde"', limits)).toBeNull();
    expect(jsonShapeProblem('"\\u0041\\n\\t\\"\\\\"', limits)).toBeNull();
    expect(jsonShapeProblem('"abcdef"', limits)).toMatch(/longer than 5/);
  });

  it('refuses NUL and lone surrogates, raw or escaped, in values and keys', () => {
    for (const text of [
      '"a\\u0000"',
      '"a\u0000"',
      '{"\\u0000":1}',
      '"\\ud800"',
      '"\\udfff"',
      '"\\ud800\\u0041"',
      '"\ud800x"',
      '"x\udc00"',
      '\u0000',
    ]) {
      expect(jsonShapeProblem(text, limits)).toMatch(/NUL|surrogate/);
    }
  });

  it('agrees with JSON.stringify: a value passes iff none of its strings holds NUL or a lone surrogate', () => {
    const big: JsonLimits = {
      maxDepth: 64,
      maxKeys: 10_000,
      maxMembers: 1_000_000,
      maxStringLength: 100_000,
    };
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : typeof value === 'object' && value !== null
          ? Object.entries(value).flatMap(([key, inner]) => [key, ...strings(inner)])
          : [];
    const unsafe = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' }), (value) => {
        const wellFormed = strings(value).every((text) => !unsafe.test(text));
        expect(jsonShapeProblem(JSON.stringify(value), big) === null).toBe(wellFormed);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
