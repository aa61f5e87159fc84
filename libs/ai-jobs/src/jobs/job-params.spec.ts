import { ValidationError } from '@jewelshot/platform';
import { validateJob } from './job-params';

/** The field errors validateJob gives `params`, or 'valid'. */
function problems(operation: string, params: object): unknown {
  try {
    validateJob(operation, params);
    return 'valid';
  } catch (error) {
    if (error instanceof ValidationError) return error.details;
    throw error;
  }
}

describe('job params', () => {
  it('fills in the defaults of optional params left out', () => {
    expect(validateJob('generate', { prompt: 'a ring' })).toMatchObject({
      params: { prompt: 'a ring', numImages: 1, aspectRatio: '1:1' },
      quantity: 1,
    });
  });

  it.each([
    ['a string', '4'],
    ['a boolean', true],
    ['a list', [4]],
    ['a fraction', 1.5],
  ])('says numImages must be a whole number when it is %s', (_label, numImages) => {
    expect(problems('generate', { prompt: 'a ring', numImages })).toEqual([
      {
        field: 'params.numImages',
        message: 'numImages must be an integer number',
        constraint: 'isInt',
      },
    ]);
  });

  it.each([
    ['only white space', '   \t\n'],
    ['only a zero-width space', '\u200b'],
    ['a C1 control and line separators', '\u0085\u2028\u2029'],
    ['an escape sequence', '\u001b[31mred ring'],
    ['a bidirectional override', 'ring \u202egnir'],
  ])('refuses a prompt of %s, and takes one with text over lines', (_label, prompt) => {
    expect(problems('generate', { prompt })).toEqual([
      expect.objectContaining({ field: 'params.prompt', constraint: 'matches' }),
    ]);
    expect(problems('generate', { prompt: 'a gold ring\n\ton marble, yüzük 💍' })).toBe('valid');
  });

  it('says when numImages is out of range', () => {
    expect(problems('generate', { prompt: 'a ring', numImages: 5 })).toEqual([
      {
        field: 'params.numImages',
        message: 'numImages must not be greater than 4',
        constraint: 'max',
        max: 4,
      },
    ]);
  });

  it.each([
    ['generate', { prompt: 'a ring', numImages: null }, 'params.numImages'],
    ['generate', { prompt: 'a ring', aspectRatio: null }, 'params.aspectRatio'],
    [
      'upscale',
      { inputImageId: '0b9f7c3e-1d2a-4c5b-8e6f-7a8b9c0d1e2f', scale: null },
      'params.scale',
    ],
  ])(
    'refuses null for an optional param of %s (leave it out for the default)',
    (operation, params, field) => {
      const name = field.slice('params.'.length);
      expect(problems(operation, params)).toEqual([
        {
          field,
          message: `${name} may be left out for its default, not null`,
          constraint: 'isDefined',
        },
      ]);
    },
  );
});
