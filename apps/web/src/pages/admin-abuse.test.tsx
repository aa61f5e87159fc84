import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { anAuditEvent, signedInAsAdmin } from '../test/admin';
import { renderPage } from '../test/render';
import { AdminAbusePage } from './admin-abuse';

const FLAG = {
  id: '3b0c6a52-0000-4000-8000-000000000001',
  userId: '3b0c6a52-0000-4000-8000-0000000000aa',
  email: 'farmer@example.com',
  status: 'open' as 'open' | 'resolved',
  score: 84,
  signals: [
    {
      signal: 'farming',
      value: 80,
      reason: '10 accounts from 203.0.113.0/24 spent only their sign-up credits',
      evidence: { accounts: 10, network: '203.0.113.0/24' },
    },
    {
      signal: 'accounts-per-address',
      value: 60,
      reason: '10 accounts from one address in 24 h',
      evidence: { count: 10 },
    },
  ],
  previousTier: 'normal',
  creditsHeld: 0,
  resolution: null as 'dismissed' | 'banned' | null,
  note: null as string | null,
  resolvedBy: null,
  resolvedAt: null as string | null,
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:05:00.000Z',
};

const EVENT = anAuditEvent({
  seq: 41,
  action: 'abuse.flag.resolve',
  targetId: FLAG.id,
  targetType: 'abuse-flag',
  reason: 'a shared office network',
});

/** A fake of the abuse flag routes (and the audit read the console does after a change). */
function fakeApi() {
  const flag = { ...FLAG };
  const calls: Array<{ method: string; path: string; query: string; body: unknown }> = [];
  const fetchFn = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url, 'http://localhost');
    const text = await request.text();
    calls.push({
      method: request.method,
      path: url.pathname,
      query: url.search,
      body: text ? JSON.parse(text) : undefined,
    });
    if (request.method === 'GET' && url.pathname === '/v1/admin/abuse/flags') {
      const status = url.searchParams.get('status');
      return Response.json({
        data: status === null || status === flag.status ? [flag] : [],
        nextCursor: null,
      });
    }
    if (request.method === 'POST' && url.pathname === `/v1/admin/abuse/flags/${flag.id}/resolve`) {
      if (flag.status !== 'open')
        return Response.json(
          { statusCode: 409, code: 'CONFLICT', error: 'Conflict', requestId: 'r' },
          { status: 409 },
        );
      const body = JSON.parse(text) as { resolution: 'dismissed' | 'banned'; note: string };
      Object.assign(flag, {
        status: 'resolved',
        resolution: body.resolution,
        note: body.note,
        resolvedAt: '2026-11-28T11:00:00.000Z',
      });
      return Response.json(flag);
    }
    if (request.method === 'GET' && url.pathname === '/v1/admin/audit')
      return Response.json({ data: [EVENT], nextCursor: null });
    return Response.json(
      { statusCode: 404, code: 'RESOURCE_NOT_FOUND', error: 'x', requestId: 'r' },
      { status: 404 },
    );
  });
  vi.stubGlobal('fetch', fetchFn);
  return calls;
}

// Typing and several round trips: slow on a loaded 2-CPU machine.
describe('the abuse console', { timeout: 20_000 }, () => {
  signedInAsAdmin('3b0c6a52-0000-4000-8000-0000000000ff');

  it('lists an open flag with its score, signals and evidence, and the user linked to the admin user page', async () => {
    await i18n.changeLanguage('en');
    const calls = fakeApi();
    renderPage(<AdminAbusePage />, '/admin/abuse');
    const card = await screen.findByRole('article', { name: FLAG.email });
    expect(within(card).getByRole('link', { name: FLAG.email })).toHaveAttribute(
      'href',
      `/admin/users/${FLAG.userId}`,
    );
    expect(within(card).getByText('Score 84')).toBeInTheDocument();
    expect(within(card).getByText('Open')).toBeInTheDocument();
    const signals = within(card).getByRole('table', { name: `Signals of ${FLAG.email}` });
    const farming = within(signals).getByText('Free-credit farming').closest('tr');
    expect(farming).not.toBeNull();
    const row = within(farming as HTMLElement);
    expect(row.getByText('80')).toBeInTheDocument();
    expect(row.getByText(FLAG.signals[0]?.reason ?? '')).toBeInTheDocument();
    expect(row.getByText('accounts: 10')).toBeInTheDocument();
    expect(row.getByText('network: 203.0.113.0/24')).toBeInTheDocument();
    expect(within(signals).getByText('Accounts per address')).toBeInTheDocument();
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/v1/admin/abuse/flags' });
    expect(calls[0]?.query).toContain('status=open');
  });

  it('dismisses a flag after the confirm step: the resolve call says dismissed, and the flag leaves the open list', async () => {
    await i18n.changeLanguage('en');
    const calls = fakeApi();
    renderPage(<AdminAbusePage />, '/admin/abuse');
    await screen.findByRole('article', { name: FLAG.email });
    await userEvent.click(
      screen.getByRole('button', { name: `Dismiss the flag of ${FLAG.email}` }),
    );
    // Nothing is sent before the confirm step.
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /reason/i }),
      'a shared office network',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByText('No open flags.')).toBeInTheDocument();
    expect(screen.queryByRole('article', { name: FLAG.email })).not.toBeInTheDocument();
    expect(screen.getByTestId('recorded-event')).toHaveTextContent('#41');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      {
        method: 'POST',
        path: `/v1/admin/abuse/flags/${FLAG.id}/resolve`,
        query: '',
        body: { resolution: 'dismissed', note: 'a shared office network' },
      },
    ]);

    // The resolved list shows it, resolved as dismissed, with no buttons left.
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'resolved');
    const card = await screen.findByRole('article', { name: FLAG.email });
    expect(within(card).getByText('Dismissed')).toBeInTheDocument();
    expect(within(card).queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows the API error when a resolution is refused', async () => {
    await i18n.changeLanguage('en');
    fakeApi();
    renderPage(<AdminAbusePage />, '/admin/abuse');
    await screen.findByRole('article', { name: FLAG.email });
    // Another admin resolved it first: the API answers 409.
    await fetch(`http://localhost/v1/admin/abuse/flags/${FLAG.id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ resolution: 'banned', note: 'someone else' }),
    });
    await userEvent.click(screen.getByRole('button', { name: `Ban ${FLAG.email}` }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /reason/i }), 'farming');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByRole('alert')).toBeInTheDocument();
  });

  it('speaks Turkish', async () => {
    await i18n.changeLanguage('tr');
    fakeApi();
    renderPage(<AdminAbusePage />, '/admin/abuse');
    const card = await screen.findByRole('article', { name: FLAG.email });
    expect(within(card).getByText('Ücretsiz kredi toplama')).toBeInTheDocument();
    expect(
      within(card).getByRole('button', { name: `${FLAG.email} işaretini reddet` }),
    ).toBeInTheDocument();
    await i18n.changeLanguage('en');
  });
});
