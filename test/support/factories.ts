import { randomBytes } from 'node:crypto';
import { AuthService } from '@jewelshot/identity';
import type { TestApi } from './app';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(6).toString('hex')}@example.test`;
}

/** Registers a fresh user through the API and hands back its credentials. */
export async function newUser(api: TestApi, label = 'user'): Promise<TestUser> {
  const email = uniqueEmail(label);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const res = await api.http().post('/v1/auth/register').send({ email, password });
  if (res.status !== 201)
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { user: { id: string }; accessToken: string; refreshToken: string };
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
  };
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/** Creates an API key for the user through the API; the key's text (shown once). */
export async function newApiKey(
  api: Pick<TestApi, 'http'>,
  user: TestUser,
  scopes: string[],
  name = 'test key',
): Promise<string> {
  const res = await api
    .http()
    .post('/v1/api-keys')
    .set(...bearer(user.accessToken))
    .send({ name, scopes });
  if (res.status !== 201)
    throw new Error(`API key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { key: string }).key;
}

/** A fresh user promoted to admin (through the same code as `npm run admin:create`). */
export async function newAdmin(api: TestApi): Promise<TestUser> {
  const user = await newUser(api, 'admin');
  await api.app.get(AuthService).ensureAdmin(user.email, user.password);
  return user;
}
