import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { aBatch, aJob, json, page, problem, stubApi } from '../test/seller-api';
import { BatchesPage } from './batches';

const summary = (batch: ReturnType<typeof aBatch>) => {
  const { items: _i, ...rest } = batch;
  return rest;
};

describe('the batches page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists each batch with how it went: canceled, partly failed, finished, running', async () => {
    await i18n.changeLanguage('en');
    const canceled = aBatch(
      [aJob({ status: 'succeeded' }), aJob({ status: 'canceled' }), aJob({ status: 'canceled' })],
      { id: 'b-canceled', name: 'Stopped rings' },
    );
    const partly = aBatch([aJob({ status: 'succeeded' }), aJob({ status: 'failed' })], {
      id: 'b-partly',
      name: 'Some earrings',
    });
    const fine = aBatch([aJob({ status: 'succeeded' })], { id: 'b-fine', name: 'Necklaces' });
    const running = aBatch([aJob({ status: 'succeeded' }), aJob({ status: 'running' })], {
      id: 'b-running',
      name: 'Bracelets',
    });
    const all = [canceled, partly, fine, running];
    stubApi(({ path }) => {
      if (path === '/v1/credits/balance') return json({ available: 5, balance: 5, reserved: 0 });
      if (path === '/v1/credits/prices') return json([]);
      // The list alone: its counts say how each batch went, with no read per batch.
      if (path === '/v1/batches') return page(all.map(summary));
      return undefined;
    });
    renderPage(<BatchesPage />, '/batches');

    const row = async (name: string) =>
      within(
        (await screen.findByRole('link', { name: `Open batch ${name}` })).closest(
          'tr',
        ) as HTMLElement,
      );
    expect(await (await row('Stopped rings')).findByText('Canceled')).toBeInTheDocument();
    expect(
      (await row('Stopped rings')).getByText('1 succeeded, 0 failed, 2 canceled'),
    ).toBeInTheDocument();
    expect(await (await row('Some earrings')).findByText('Partly failed')).toBeInTheDocument();
    expect(
      (await row('Some earrings')).getByText('1 succeeded, 1 failed, 0 canceled'),
    ).toBeInTheDocument();
    expect(await (await row('Necklaces')).findByText('Finished')).toBeInTheDocument();
    expect(await (await row('Bracelets')).findByText('In progress')).toBeInTheDocument();
  });

  it('reads the balance again when the API refuses the batch (402), and Start stops being offered', async () => {
    await i18n.changeLanguage('en');
    vi.spyOn(api, 'upload').mockResolvedValue({
      id: '7f1c2a9e-0000-4000-8000-000000000001',
      url: 'http://localhost/in.png',
      urlExpiresAt: '2026-11-28T10:00:00.000Z',
      width: 8,
      height: 8,
    } as Awaited<ReturnType<typeof api.upload>>);
    let available = 5;
    const calls = stubApi(({ method, path }) => {
      if (path === '/v1/credits/balance')
        return json({ available, balance: available, reserved: 0 });
      if (path === '/v1/credits/prices')
        return json([{ operation: 'remove-background', credits: 1 }]);
      if (method === 'POST' && path === '/v1/batches') {
        available = 0;
        return problem(402, 'INSUFFICIENT_CREDITS');
      }
      return undefined;
    });
    const { container } = renderPage(<BatchesPage />, '/batches');
    await screen.findByText('No batches yet.');
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.upload(input, new File(['png'], 'ring.png', { type: 'image/png' }));
    const start = await screen.findByRole('button', { name: 'Start batch (1 credit)' });
    expect(start).toBeEnabled();
    await userEvent.click(start);

    expect(await screen.findByText('You need 1 credit but have 0 credits.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start batch (1 credit)' })).toBeDisabled();
    expect(calls.filter((call) => call.path === '/v1/credits/balance')).toHaveLength(2);
  });
});
