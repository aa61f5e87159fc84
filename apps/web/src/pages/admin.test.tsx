import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLocation, useNavigate } from 'react-router';
import { i18n } from '../i18n';
import { anAuditEvent, signedInAsAdmin } from '../test/admin';
import { aJob } from '../test/seller-api';
import { renderPage } from '../test/render';
import { AdminPage } from './admin';

const uuid = (n: number) => `9a1b2c3d-0000-4000-8000-${String(n).padStart(12, '0')}`;

const user = (n: number) => ({
  id: uuid(n),
  email: `seller${n}@example.com`,
  role: 'user',
  status: 'active',
  priorityTier: 'normal',
  emailVerified: true,
  language: 'en',
  createdAt: '2026-11-01T10:00:00.000Z',
});

/** A job as the admin job list answers it: a seller's job, and who it is and what it holds. */
const job = (n: number) => ({
  ...aJob({ id: uuid(1000 + n), operation: 'upscale', queuedAt: '2026-11-28T10:00:00.000Z' }),
  userId: uuid(n),
  userEmail: `seller${n}@example.com`,
  holdId: uuid(2000 + n),
  provider: null,
  providerRequestId: null,
  rawErrorCode: null,
  rawErrorMessage: null,
  retryOf: null,
  retriedAs: null,
});

const event = (seq: number, target: { type: string; id: string }) =>
  anAuditEvent({ seq, targetId: target.id, targetType: target.type, reason: `reason ${seq}` });

type Row = { id?: string; seq?: number };

/**
 * Two pages of each admin list (50 rows, then one more behind the cursor "next"), and the audit
 * export and chain check, which can be told to fail.
 */
function fakeApi({ exportStatus = 200, verifyStatus = 200 } = {}) {
  const calls: Array<{ path: string; query: URLSearchParams }> = [];
  const lists: Record<string, Row[]> = {
    '/v1/admin/users': Array.from({ length: 51 }, (_, i) => user(i + 1)),
    '/v1/admin/jobs': Array.from({ length: 51 }, (_, i) => ({
      ...job(i + 1),
      rawErrorMessage: i === 50 ? 'the 51st job' : null,
    })),
    '/v1/admin/audit': [
      event(60, { type: 'user', id: uuid(1) }),
      event(59, { type: 'operation', id: 'upscale' }),
      ...Array.from({ length: 49 }, (_, i) => event(58 - i, { type: 'job', id: uuid(1001) })),
    ],
  };
  const refused = (status: number) =>
    Response.json(
      { statusCode: status, code: 'INTERNAL_ERROR', error: 'boom', requestId: `req-${status}` },
      { status },
    );
  const fetchFn = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url, 'http://localhost');
    calls.push({ path: url.pathname, query: url.searchParams });
    const rows = lists[url.pathname];
    if (rows) {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const next = url.searchParams.get('cursor') === 'next';
      const data = next ? rows.slice(limit) : rows.slice(0, limit);
      return Response.json({ data, nextCursor: next || rows.length <= limit ? null : 'next' });
    }
    if (url.pathname === '/v1/admin/audit/export')
      return exportStatus === 200
        ? new Response('seq,action\r\n60,user.ban\r\n', { headers: { 'content-type': 'text/csv' } })
        : refused(exportStatus);
    if (url.pathname === '/v1/admin/audit/verify')
      return verifyStatus === 200
        ? Response.json({
            ok: true,
            events: 60,
            firstBrokenSeq: null,
            problem: null,
            breaks: [],
            anchors: 0,
          })
        : refused(verifyStatus);
    return refused(404);
  });
  vi.stubGlobal('fetch', fetchFn);
  return calls;
}

/** Where the router is, and a Back button (the browser's, for a memory router). */
function Browser() {
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <>
      <output data-testid="location">{location.pathname + location.search}</output>
      <button type="button" onClick={() => void navigate(-1)}>
        browser back
      </button>
    </>
  );
}

const renderAdmin = (path = '/admin') =>
  renderPage(
    <>
      <AdminPage />
      <Browser />
    </>,
    path,
  );

// jsdom has no object URLs: a download test puts its own in, and each test puts back what was.
const { createObjectURL, revokeObjectURL } = URL;
function stubDownloads() {
  const created = vi.fn((blob: Blob) => `blob:${blob.size}`);
  Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() });
  return created;
}

const selectedTab = () => screen.getByRole('tab', { selected: true });

// Many rows and round trips: slow on a loaded 2-CPU machine.
describe('the admin console', { timeout: 20_000 }, () => {
  signedInAsAdmin();
  beforeEach(async () => {
    await i18n.changeLanguage('en');
  });

  afterEach(() => {
    vi.restoreAllMocks();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
  });

  describe('tabs in the URL', () => {
    it('opens the tab the URL names, so a reload keeps it', async () => {
      fakeApi();
      renderAdmin('/admin?tab=audit');
      expect(selectedTab()).toHaveTextContent('Audit log');
      expect(await screen.findByTestId('audit-table')).toBeInTheDocument();
    });

    it('puts the chosen tab in the URL, and Back returns to the previous one', async () => {
      fakeApi();
      renderAdmin();
      expect(selectedTab()).toHaveTextContent('Users');
      await userEvent.click(screen.getByRole('tab', { name: 'Jobs' }));
      expect(screen.getByTestId('location')).toHaveTextContent('/admin?tab=jobs');
      await userEvent.click(screen.getByRole('tab', { name: 'Audit log' }));
      expect(screen.getByTestId('location')).toHaveTextContent('/admin?tab=audit');
      expect(selectedTab()).toHaveTextContent('Audit log');

      await userEvent.click(screen.getByRole('button', { name: 'browser back' }));
      expect(screen.getByTestId('location')).toHaveTextContent('/admin?tab=jobs');
      expect(selectedTab()).toHaveTextContent('Jobs');
      await userEvent.click(screen.getByRole('button', { name: 'browser back' }));
      expect(screen.getByTestId('location')).toHaveTextContent(/^\/admin$/);
      expect(selectedTab()).toHaveTextContent('Users');
    });
  });

  describe('paging', () => {
    it.each([
      ['users', 'users-table', '/v1/admin/users', 'seller51@example.com'],
      ['jobs', 'jobs-table', '/v1/admin/jobs', 'the 51st job'],
      ['audit', 'audit-table', '/v1/admin/audit', 'reason 10'],
    ])(
      'the %s list shows 50 rows, then "Load more" reads the next page',
      async (tab, testId, path, lastRowText) => {
        const calls = fakeApi();
        renderAdmin(`/admin?tab=${tab}`);
        const table = await screen.findByTestId(testId);
        expect(within(table).getAllByRole('row')).toHaveLength(51); // the header and 50 rows
        expect(calls.find((c) => c.path === path)?.query.get('limit')).toBe('50');
        expect(table).not.toHaveTextContent(lastRowText);

        await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
        await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(52));
        expect(table).toHaveTextContent(lastRowText);
        expect(calls.filter((c) => c.path === path).map((c) => c.query.get('cursor'))).toEqual([
          null,
          'next',
        ]);
        expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
      },
    );

    it('says the audit action filter takes an exact action name', async () => {
      fakeApi();
      renderAdmin('/admin?tab=audit');
      const action = await screen.findByRole('textbox', { name: 'Action' });
      expect(action).toHaveAttribute('placeholder', 'user.ban');
      expect(action).toHaveAccessibleDescription('The exact action name, e.g. user.ban');
    });
  });

  describe('links to users', () => {
    it('links a job’s user, and an audit event’s user target, to the admin user page', async () => {
      fakeApi();
      renderAdmin('/admin?tab=jobs');
      const jobs = await screen.findByTestId('jobs-table');
      // Named by their email, not an id.
      const first = within(jobs).getAllByRole('link')[0];
      expect(first).toHaveAttribute('href', `/admin/users/${uuid(1)}`);
      expect(first).toHaveTextContent('seller1@example.com');

      await userEvent.click(screen.getByRole('tab', { name: 'Audit log' }));
      const audit = await screen.findByTestId('audit-table');
      expect(within(audit).getByRole('link', { name: uuid(1) })).toHaveAttribute(
        'href',
        `/admin/users/${uuid(1)}`,
      );
      // Other targets (an operation, a job) stay plain text.
      expect(within(audit).getByText('upscale').closest('a')).toBeNull();
      expect(within(audit).getAllByRole('link')).toHaveLength(1);
    });
  });

  describe('audit export and chain check', () => {
    it('downloads the CSV the API sends', async () => {
      fakeApi();
      const created = stubDownloads();
      const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
      renderAdmin('/admin?tab=audit');
      await screen.findByTestId('audit-table');
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
      expect(await created.mock.calls[0]?.[0].text()).toBe('seq,action\r\n60,user.ban\r\n');
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    });

    it('shows an error, and downloads nothing, when the export fails', async () => {
      fakeApi({ exportStatus: 500 });
      const created = stubDownloads();
      const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
      renderAdmin('/admin?tab=audit');
      await screen.findByTestId('audit-table');
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByRole('alert')).toHaveTextContent('req-500');
      expect(created).not.toHaveBeenCalled();
      expect(click).not.toHaveBeenCalled();
    });

    it('shows the error of a chain check that fails', async () => {
      fakeApi({ verifyStatus: 503 });
      renderAdmin('/admin?tab=audit');
      await screen.findByTestId('audit-table');
      await userEvent.click(screen.getByRole('button', { name: 'Verify the chain' }));
      expect(await screen.findByRole('alert')).toHaveTextContent('req-503');
    });
  });
});
