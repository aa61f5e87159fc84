import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Route, Routes } from 'react-router';
import { i18n } from '../i18n';
import { anAuditEvent, signedInAsAdmin } from '../test/admin';
import { renderPage } from '../test/render';
import { AdminUserPage } from './admin-user';

const USER = {
  id: '5d2e8f10-0000-4000-8000-0000000000aa',
  email: 'seller@example.com',
  role: 'user',
  status: 'active',
  priorityTier: 'high' as 'high' | 'normal' | 'low',
  emailVerified: true,
  language: 'en',
  createdAt: '2026-11-01T10:00:00.000Z',
};

const EVENT = anAuditEvent({
  seq: 7,
  action: 'user.priority-tier',
  targetId: USER.id,
  targetType: 'user',
});

const OTHER_ADMINS_EVENT = anAuditEvent({
  seq: 8,
  action: 'user.ban',
  targetId: USER.id,
  targetType: 'user',
  actorEmail: 'other-admin@example.com',
});

/**
 * A fake of the admin user routes: the detail, a credit adjustment the API refuses (with a
 * request id to show), and the priority-tier change (which the next detail read reflects).
 */
function fakeApi() {
  const user = { ...USER };
  const calls: Array<{ method: string; path: string; body: unknown; requestId: string | null }> =
    [];
  const fetchFn = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url, 'http://localhost');
    const path = url.pathname;
    const text = await request.text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const requestId = request.headers.get('x-request-id');
    calls.push({ method: request.method, path, body, requestId });
    if (request.method === 'GET' && path === `/v1/admin/users/${user.id}`)
      return Response.json({
        user,
        balance: { balance: 5, reserved: 0, available: 5 },
        holds: [],
        recentJobs: [],
        sessions: [],
      });
    if (request.method === 'POST' && path === `/v1/admin/users/${user.id}/credits`)
      return Response.json(
        { statusCode: 409, code: 'CONFLICT', error: 'Conflict', requestId: 'req-adjust-1' },
        { status: 409 },
      );
    if (request.method === 'PUT' && path === `/v1/admin/users/${user.id}/priority-tier`) {
      user.priorityTier = body?.priorityTier as typeof user.priorityTier;
      return Response.json(user);
    }
    if (request.method === 'POST' && path === `/v1/admin/users/${user.id}/sessions/end`)
      return Response.json({ ended: 0 });
    if (request.method === 'POST' && path === `/v1/admin/users/${user.id}/ban`)
      return Response.json(
        {
          statusCode: 400,
          code: 'VALIDATION_ERROR',
          error: 'The request is invalid',
          requestId: 'req-ban-1',
          details: [
            {
              field: 'reason',
              message: 'reason must be shorter than or equal to 500 characters',
              constraint: 'maxLength',
              max: 500,
            },
          ],
        },
        { status: 400 },
      );
    if (request.method === 'GET' && path === '/v1/admin/audit') {
      // The newest event about the user is another admin's; this page's change made EVENT.
      const change = calls.find((c) => c.method !== 'GET' && c.requestId);
      const asked = url.searchParams.get('requestId');
      const mine = change !== undefined && asked === change.requestId;
      return Response.json({
        data: [mine ? { ...EVENT, requestId: asked } : asked ? null : OTHER_ADMINS_EVENT].filter(
          Boolean,
        ),
        nextCursor: null,
      });
    }
    return Response.json(
      { statusCode: 404, code: 'RESOURCE_NOT_FOUND', error: 'x', requestId: 'r' },
      { status: 404 },
    );
  });
  vi.stubGlobal('fetch', fetchFn);
  return { calls, user };
}

const renderUserPage = () =>
  renderPage(
    <Routes>
      <Route path="/admin/users/:id" element={<AdminUserPage />} />
    </Routes>,
    `/admin/users/${USER.id}`,
  );

// Typing and several round trips: slow on a loaded 2-CPU machine.
describe('the admin user page', { timeout: 20_000 }, () => {
  signedInAsAdmin();
  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('starts the tier select at the user’s tier, so "Set tier" right away keeps it', async () => {
    const { calls } = fakeApi();
    renderUserPage();
    expect(await screen.findByText(/Priority tier: High/)).toBeInTheDocument();
    const select = screen.getByRole('combobox', { name: 'Priority tier' });
    expect(select).toHaveValue('high');

    await userEvent.click(screen.getByRole('button', { name: 'Set tier' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /reason/i }), 'checking');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      priorityTier: 'high',
      reason: 'checking',
    });
  });

  it('shows the event its own change recorded, found by the request id it sent, not the newest about the user', async () => {
    const { calls } = fakeApi();
    renderUserPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Set tier' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /reason/i }), 'checking');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByTestId('recorded-event')).toHaveTextContent(
      /#7\b.*user\.priority-tier/,
    );
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.requestId).toMatch(/^console-[0-9a-f-]{36}$/);
  });

  it('says the user’s role, status and tier in the admin’s language, and offers the tiers in it', async () => {
    await i18n.changeLanguage('tr');
    fakeApi();
    renderUserPage();
    expect(
      await screen.findByText(/Rol: Satıcı · Durum: Etkin · Öncelik seviyesi: Yüksek/),
    ).toBeInTheDocument();
    const select = screen.getByRole('combobox', { name: 'Öncelik seviyesi' });
    expect(
      within(select)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Yüksek', 'Normal', 'Düşük']);
    expect(select).toHaveValue('high');
  });

  it('follows the user’s tier when the data reloads with a new one', async () => {
    const { calls, user } = fakeApi();
    renderUserPage();
    const select = await screen.findByRole('combobox', { name: 'Priority tier' });
    expect(select).toHaveValue('high');
    // Another admin lowers the tier; this page's next action reloads the user.
    user.priorityTier = 'low';
    await userEvent.click(screen.getByRole('button', { name: 'End all sessions' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /reason/i }), 'stolen');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText(/Priority tier: Low/)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Priority tier' })).toHaveValue('low');
    expect(calls.some((c) => c.path.endsWith('/sessions/end'))).toBe(true);
  });

  it('opens the next action’s dialog clean: no error or reason from a failed adjustment', async () => {
    fakeApi();
    renderUserPage();
    await userEvent.type(await screen.findByRole('textbox', { name: /Change \(credits/ }), '10');
    await userEvent.click(screen.getByRole('button', { name: 'Adjust credits' }));
    let dialog = await screen.findByRole('dialog', { name: 'Adjust credits' });
    await userEvent.type(within(dialog).getByRole('textbox', { name: /reason/i }), 'goodwill');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('req-adjust-1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await userEvent.click(screen.getByRole('button', { name: 'Set tier' }));
    dialog = await screen.findByRole('dialog', { name: 'Set tier' });
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(dialog).not.toHaveTextContent('req-adjust-1');
    expect(within(dialog).getByRole('textbox', { name: /reason/i })).toHaveValue('');
  });

  it('says under the reason what the API refused in it, and keeps it to 500 characters', async () => {
    fakeApi();
    renderUserPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Ban' }));
    const dialog = await screen.findByRole('dialog', { name: 'Ban' });
    const reason = within(dialog).getByRole('textbox', { name: /reason/i });
    expect(reason).toHaveAttribute('maxlength', '500');
    await userEvent.type(reason, 'card testing');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByText('Use at most 500 characters')).toBeInTheDocument();
    expect(reason).toHaveAttribute('aria-invalid', 'true');
  });
});
