import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { ApiKeysPage } from './api-keys';

const KEY = `js_live_${'a'.repeat(24)}_${'b'.repeat(64)}`;
const listed = {
  id: '7f1c2a9e-0000-4000-8000-000000000001',
  name: 'shop sync',
  prefix: `js_live_${'a'.repeat(24)}`,
  scopes: ['jobs:read', 'jobs:write'],
  createdAt: '2026-11-28T10:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
};

/** A fake of the three /v1/api-keys routes, recording what the page sent. */
function fakeApi() {
  let keys: (typeof listed)[] = [];
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  const fetchFn = vi.fn(async (input: Request) => {
    const path = new URL(input.url).pathname;
    const body = input.method === 'POST' ? ((await input.json()) as unknown) : undefined;
    calls.push({ method: input.method, path, body });
    if (input.method === 'GET' && path === '/v1/api-keys') return Response.json({ data: keys });
    if (input.method === 'POST' && path === '/v1/api-keys') {
      keys = [listed];
      return Response.json({ ...listed, key: KEY }, { status: 201 });
    }
    if (input.method === 'DELETE' && path === `/v1/api-keys/${listed.id}`) {
      keys = [];
      return new Response(null, { status: 204 });
    }
    return Response.json(
      { statusCode: 404, code: 'RESOURCE_NOT_FOUND', error: 'x', requestId: 'r' },
      { status: 404 },
    );
  });
  vi.stubGlobal('fetch', fetchFn);
  return calls;
}

describe('the API keys page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creates a key with the chosen scopes, shows it once with a copy button, then lists it without the secret', async () => {
    await i18n.changeLanguage('en');
    const calls = fakeApi();
    renderPage(<ApiKeysPage />, '/account/api-keys');
    expect(await screen.findByText('No API keys yet.')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'shop sync');
    await userEvent.click(screen.getByRole('checkbox', { name: /files:write/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

    expect(await screen.findByTestId('new-api-key')).toHaveTextContent(KEY);
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeInTheDocument();
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      name: 'shop sync',
      scopes: ['jobs:read', 'jobs:write', 'files:write'],
    });
    const row = (await screen.findByRole('button', { name: 'Revoke shop sync' })).closest('tr');
    expect(row).not.toBeNull();
    expect(within(row as HTMLElement).getByText(`${listed.prefix}…`)).toBeInTheDocument();
    expect((row as HTMLElement).textContent).not.toContain('b'.repeat(64));

    // Once dismissed, the key is gone from the page for good.
    await userEvent.click(screen.getByRole('button', { name: 'I saved it' }));
    expect(screen.queryByTestId('new-api-key')).toBeNull();
    expect(document.body.textContent).not.toContain(KEY);
  });

  it('revokes a key and drops it from the list', async () => {
    await i18n.changeLanguage('tr');
    const calls = fakeApi();
    renderPage(<ApiKeysPage />, '/account/api-keys');
    await userEvent.type(await screen.findByRole('textbox', { name: 'Ad' }), 'shop sync');
    await userEvent.click(screen.getByRole('button', { name: 'Anahtar oluştur' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'İptal et: shop sync anahtarı' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: '“shop sync” anahtarı iptal edilsin mi?',
    });
    await userEvent.click(within(dialog).getByRole('button', { name: 'İptal et' }));
    await waitFor(() => expect(screen.getByText('Henüz API anahtarı yok.')).toBeInTheDocument());
    expect(calls.some((call) => call.method === 'DELETE')).toBe(true);
    await i18n.changeLanguage('en');
  });

  it('asks before revoking, says what will happen, and revokes nothing on Cancel', async () => {
    await i18n.changeLanguage('en');
    const calls = fakeApi();
    renderPage(<ApiKeysPage />, '/account/api-keys');
    await userEvent.type(await screen.findByRole('textbox', { name: 'Name' }), 'shop sync');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke shop sync' }));

    const dialog = await screen.findByRole('dialog', { name: 'Revoke the key “shop sync”?' });
    expect(dialog).toHaveTextContent(
      'Integrations using it stop working at once. This cannot be undone.',
    );
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    expect(screen.getByRole('button', { name: 'Revoke shop sync' })).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Revoke shop sync' }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke' }),
    );
    expect(await screen.findByText('No API keys yet.')).toBeInTheDocument();
    expect(calls.filter((call) => call.method === 'DELETE')).toEqual([
      { method: 'DELETE', path: `/v1/api-keys/${listed.id}`, body: undefined },
    ]);
  });
});
