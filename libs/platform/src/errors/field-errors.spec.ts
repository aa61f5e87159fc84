import 'reflect-metadata';
import {
  IsInt,
  IsOptional,
  IsString,
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
}

const errorsOf = (plain: object) =>
  fieldErrors(validateSync(plainToInstance(Body, plain), { stopAtFirstError: true }));

describe('fieldErrors', () => {
  it('says a missing or null field is required, not that it is too long', () => {
    expect(errorsOf({ code: 'abc', params: { prompt: 'x' } })).toEqual([
      { field: 'name', message: 'name is required' },
    ]);
    expect(errorsOf({ name: null, code: null, params: {} })).toEqual([
      { field: 'name', message: 'name is required' },
      { field: 'code', message: 'code is required' },
      { field: 'params.prompt', message: 'params.prompt is required' },
    ]);
  });

  it('says a value that is not a string must be one when only a length check failed', () => {
    expect(errorsOf({ name: 'ok', code: 12345, params: { prompt: 'x' } })).toEqual([
      { field: 'code', message: 'code must be a string' },
    ]);
  });

  it("keeps class-validator's message for a present value that breaks a rule", () => {
    expect(
      errorsOf({ name: 'n'.repeat(21), code: 'a', count: 0, params: { prompt: 'x' } }),
    ).toEqual([
      { field: 'name', message: 'name must be shorter than or equal to 20 characters' },
      { field: 'code', message: 'code must be longer than or equal to 2 characters' },
      { field: 'count', message: 'count must not be less than 1' },
    ]);
  });

  it('leaves an optional field that is absent alone', () => {
    expect(errorsOf({ name: 'ok', code: 'abc', params: { prompt: 'x' } })).toEqual([]);
  });
});
