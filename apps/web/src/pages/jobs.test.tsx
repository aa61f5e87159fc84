import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { aJob, json, page, stubApi } from '../test/seller-api';
import { HomePage } from './home';
import { JobsPage } from './jobs';

describe('the jobs page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists every job newest first a page at a time, each linking to its page', async () => {
    await i18n.changeLanguage('en');
    const first = Array.from({ length: 20 }, (_, i) =>
      aJob({ status: i === 0 ? 'running' : 'succeeded' }),
    );
    const old = aJob({ status: 'failed', queuedAt: '2026-01-05T09:00:00.000Z' });
    const calls = stubApi(({ path, search }) => {
      if (path !== '/v1/ai/jobs') return undefined;
      return search.get('cursor') === 'c2' ? page([old]) : page(first, 'c2');
    });
    renderPage(<JobsPage />, '/jobs');

    expect(await screen.findByRole('heading', { name: 'Jobs' })).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getAllByRole('link', { name: /^Open job/ })).toHaveLength(20),
    );
    expect(screen.queryByRole('link', { name: /Jan 5/ })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    // The 21st job, a failed one, is reachable: its row says so, its cost was refunded.
    const link = await screen.findByRole('link', { name: /^Open job: Remove background, Jan 5/ });
    expect(link).toHaveAttribute('href', `/jobs/${old.id}`);
    const row = within(link.closest('tr') as HTMLElement);
    expect(row.getByText('Failed')).toBeInTheDocument();
    expect(row.getByText('1 credit — refunded')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(
      calls.filter((c) => c.path === '/v1/ai/jobs').map((c) => c.search.get('cursor')),
    ).toEqual([null, 'c2']);
    expect(calls.every((c) => c.search.get('status') === null)).toBe(true);
  });

  it('filters by status through the API, in Turkish too', async () => {
    await i18n.changeLanguage('tr');
    const canceled = aJob({ status: 'canceled' });
    const calls = stubApi(({ path, search }) => {
      if (path !== '/v1/ai/jobs') return undefined;
      return search.get('status') === 'canceled' ? page([canceled]) : page([]);
    });
    renderPage(<JobsPage />, '/jobs');
    expect(await screen.findByText('Henüz iş yok. Yeni bir çekimle başlayın.')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Durum' }), 'canceled');

    const link = await screen.findByRole('link', { name: /^İşi aç/ });
    expect(link).toHaveAttribute('href', `/jobs/${canceled.id}`);
    expect(
      within(link.closest('tr') as HTMLElement).getByText('1 kredi — iade edildi'),
    ).toBeInTheDocument();
    expect(calls.at(-1)?.search.get('status')).toBe('canceled');

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Durum' }), 'failed');
    expect(await screen.findByText('Bu durumda iş yok.')).toBeInTheDocument();
  });

  it('is reached from Home: "See all jobs" next to the latest ones', async () => {
    await i18n.changeLanguage('en');
    stubApi(({ path }) => {
      if (path === '/v1/credits/balance') return json({ available: 5, balance: 5, reserved: 0 });
      if (path === '/v1/credits/prices') return json([]);
      return undefined;
    });
    renderPage(<HomePage />, '/');
    expect(await screen.findByRole('link', { name: 'See all jobs' })).toHaveAttribute(
      'href',
      '/jobs',
    );
  });
});
