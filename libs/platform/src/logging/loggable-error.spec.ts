import { loggableError } from './loggable-error';

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
