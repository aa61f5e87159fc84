import { isUnavailableError } from './unavailable';

describe('isUnavailableError', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('recognises the database being away', () => {
    expect(isUnavailableError(withCode('ECONNREFUSED'))).toBe(true);
    expect(
      isUnavailableError(withCode('57P01', 'terminating connection due to administrator command')),
    ).toBe(true);
    expect(isUnavailableError(withCode('57P03', 'the database system is starting up'))).toBe(true);
    expect(isUnavailableError(withCode('08006'))).toBe(true);
    expect(isUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailableError(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('follows TypeORM driverError, cause and AggregateError', () => {
    expect(
      isUnavailableError(
        Object.assign(new Error('query failed'), { driverError: withCode('57P01') }),
      ),
    ).toBe(true);
    expect(isUnavailableError(new Error('outer', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(
      isUnavailableError(
        new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''),
      ),
    ).toBe(true);
  });

  it('leaves real bugs and bad input alone', () => {
    expect(isUnavailableError(withCode('23505', 'duplicate key'))).toBe(false);
    expect(isUnavailableError(withCode('22P02', 'invalid input syntax'))).toBe(false);
    expect(isUnavailableError(new TypeError('x is undefined'))).toBe(false);
    expect(isUnavailableError('Connection terminated')).toBe(false);
  });
});
