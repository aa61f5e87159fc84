import { loggableError, serializeLoggedError } from './loggable-error';

describe('loggableError', () => {
  it('drops query parameters, detail and quoted values of a database error', () => {
    const driverError = Object.assign(
      new Error('invalid input syntax for type uuid: "secret-value"'),
      {
        code: '22P02',
        detail: 'Key (email)=(someone@example.test) already exists.',
        table: 'users',
      },
    );
    const error = Object.assign(new Error(driverError.message), {
      name: 'QueryFailedError',
      query: 'SELECT * FROM users WHERE id = $1',
      parameters: ['$argon2id$hash'],
      driverError,
    });
    const logged = JSON.stringify(loggableError(error));
    expect(logged).not.toMatch(/secret-value|argon2id|someone@example/);
    expect(loggableError(error)).toMatchObject({
      code: '22P02',
      table: 'users',
      message: 'invalid input syntax for type uuid: "[value]"',
    });
  });

  it('keeps an ordinary error readable', () => {
    const logged = loggableError(new TypeError('cannot read "x" of undefined'));
    expect(logged).toMatchObject({ type: 'TypeError', message: 'cannot read "x" of undefined' });
    expect(logged.stack).toContain('TypeError: cannot read');
  });
});

describe('serializeLoggedError (the `err` serializer of every log line)', () => {
  const queryFailed = () =>
    Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      name: 'QueryFailedError',
      query: 'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
      parameters: ['someone@example.test', '$argon2id$hash'],
      driverError: Object.assign(new Error('duplicate key'), {
        code: '23505',
        detail: 'Key (email)=(someone@example.test) already exists.',
        constraint: 'users_email_key',
      }),
    });

  it('writes a raw error as loggableError does: no query, parameters or detail', () => {
    const error = queryFailed();
    const serialized = serializeLoggedError(error);
    expect(serialized).toEqual(loggableError(error));
    expect(JSON.stringify(serialized)).not.toMatch(/argon2id|someone@example|INSERT INTO/);
    expect(serialized).toMatchObject({ type: 'QueryFailedError', code: '23505' });
  });

  it("serializes the original when pino's standard serializer ran first (its `raw`)", () => {
    const error = queryFailed();
    // What pino-std-serializers hands on: every enumerable field copied, the original as `raw`.
    const copied = Object.defineProperty(
      { ...error, type: 'QueryFailedError', message: error.message, stack: error.stack },
      'raw',
      { value: error, enumerable: false },
    );
    expect(serializeLoggedError(copied)).toEqual(loggableError(error));
    const loggable = loggableError(error);
    const wrapped = Object.defineProperty({ ...loggable, type: 'Object' }, 'raw', {
      value: loggable,
      enumerable: false,
    });
    expect(serializeLoggedError(wrapped)).toEqual(loggable);
  });

  it('keeps what loggableError already made, and strips the data fields of an error-like object', () => {
    const loggable = loggableError(queryFailed());
    expect(serializeLoggedError(loggable)).toEqual(loggable);
    const copied = { ...queryFailed(), message: 'copied', cause: { parameters: ['p-secret'] } };
    const serialized = serializeLoggedError(copied);
    expect(JSON.stringify(serialized)).not.toMatch(/argon2id|someone@example|p-secret/);
    expect(serialized).toMatchObject({ name: 'QueryFailedError', message: 'copied', cause: {} });
    expect(serializeLoggedError('a message')).toBe('a message');
    expect(serializeLoggedError(undefined)).toBeUndefined();
  });
});
