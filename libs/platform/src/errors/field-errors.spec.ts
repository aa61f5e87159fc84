import 'reflect-metadata';
import {
  IsInt,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { fieldErrors } from './field-errors';

class Inner {
  @IsString()
  @MaxLength(10)
  prompt!: string;
}

class Body {
  // The length check is nearest the property: class-validator tries it first.
  @IsString()
  @MaxLength(20)
  name!: string;

  @MinLength(2)
  @MaxLength(8)
  code!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  count?: number;

  @ValidateNested()
  @Type(() => Inner)
  params!: Inner;

  @IsOptional()
  @Length(10, 128, { message: 'secret must be 10 to 128 characters' })
  secret?: string;
}

const errorsOf = (plain: object) =>
  fieldErrors(validateSync(plainToInstance(Body, plain), { stopAtFirstError: true }));

describe('fieldErrors', () => {
  it('says a missing or null field is required, not that it is too long', () => {
    expect(errorsOf({ code: 'abc', params: { prompt: 'x' } })).toEqual([
      { field: 'name', message: 'name is required', constraint: 'isDefined' },
    ]);
    expect(errorsOf({ name: null, code: null, params: {} })).toEqual([
      { field: 'name', message: 'name is required', constraint: 'isDefined' },
      { field: 'code', message: 'code is required', constraint: 'isDefined' },
      { field: 'params.prompt', message: 'params.prompt is required', constraint: 'isDefined' },
    ]);
  });

  it('says a value that is not a string must be one when only a length check failed', () => {
    expect(errorsOf({ name: 'ok', code: 12345, params: { prompt: 'x' } })).toEqual([
      { field: 'code', message: 'code must be a string', constraint: 'isString' },
    ]);
  });

  it('says a value that is no number must be one when only a bound failed (limit=abc)', () => {
    // A query's number arrives as NaN from its transform, or as text; the bound fails first.
    expect(
      errorsOf({ name: 'ok', code: 'abc', count: Number.NaN, params: { prompt: 'x' } }),
    ).toEqual([{ field: 'count', message: 'count must be a number', constraint: 'isNumber' }]);
    expect(errorsOf({ name: 'ok', code: 'abc', count: 'x', params: { prompt: 'x' } })).toEqual([
      { field: 'count', message: 'count must be a number', constraint: 'isNumber' },
    ]);
  });

  it("keeps class-validator's message for a present value that breaks a rule", () => {
    expect(
      errorsOf({ name: 'n'.repeat(21), code: 'a', count: 0, params: { prompt: 'x' } }),
    ).toEqual([
      {
        field: 'name',
        message: 'name must be shorter than or equal to 20 characters',
        constraint: 'maxLength',
        max: 20,
      },
      {
        field: 'code',
        message: 'code must be longer than or equal to 2 characters',
        constraint: 'minLength',
        min: 2,
      },
      { field: 'count', message: 'count must not be less than 1', constraint: 'min', min: 1 },
    ]);
  });

  it('names the side of a length range the value broke, with its bound', () => {
    const base = { name: 'ok', code: 'abc', params: { prompt: 'x' } };
    expect(errorsOf({ ...base, secret: 'short' })).toEqual([
      {
        field: 'secret',
        message: 'secret must be 10 to 128 characters',
        constraint: 'minLength',
        min: 10,
      },
    ]);
    expect(errorsOf({ ...base, secret: 'x'.repeat(129) })).toEqual([
      {
        field: 'secret',
        message: 'secret must be 10 to 128 characters',
        constraint: 'maxLength',
        max: 128,
      },
    ]);
  });

  it('leaves an optional field that is absent alone', () => {
    expect(errorsOf({ name: 'ok', code: 'abc', params: { prompt: 'x' } })).toEqual([]);
  });
});
