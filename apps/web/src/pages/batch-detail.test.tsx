import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { aBatch, aJob, json, stubApi } from '../test/seller-api';
import { BatchDetailPage } from './batch-detail';

const show = (batch: ReturnType<typeof aBatch>) => {
  stubApi(({ path }) => (path === `/v1/batches/${batch.id}` ? json(batch) : undefined));
  renderPage(
    <Routes>
      <Route path="/batches/:id" element={<BatchDetailPage />} />
    </Routes>,
    `/batches/${batch.id}`,
  );
};

const bar = () => screen.getByRole('progressbar').closest('.mantine-Progress-root');

describe('a finished batch', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('canceled: says so, counts its items by outcome, shows the refund, and is not blue', async () => {
    await i18n.changeLanguage('en');
    const done = (status: 'succeeded' | 'canceled') => aJob({ status, batchId: 'b1' });
    show(
      aBatch([
        done('succeeded'),
        done('succeeded'),
        done('canceled'),
        done('canceled'),
        done('canceled'),
        done('canceled'),
      ]),
    );
    expect(await screen.findByText('6 of 6 finished')).toBeInTheDocument();
    // The batch's own state, above the items (each item has its own status too).
    expect(screen.getAllByText('Canceled').filter((el) => !el.closest('table'))).toHaveLength(1);
    expect(screen.getByText('2 succeeded, 0 failed, 4 canceled')).toBeInTheDocument();
    expect(
      screen.getByText('4 credits refunded for the items that failed or were canceled.'),
    ).toBeInTheDocument();
    expect(bar()?.innerHTML).toContain('--mantine-color-yellow');
    expect(screen.queryByRole('button', { name: 'Cancel batch' })).toBeNull();
  });

  it('partly failed: says so in Turkish, with the refund of the failed items', async () => {
    await i18n.changeLanguage('tr');
    show(aBatch([aJob({ status: 'succeeded' }), aJob({ status: 'failed', cost: 2 })]));
    expect(await screen.findByText('Kısmen başarısız')).toBeInTheDocument();
    expect(screen.getByText('1 başarılı, 1 başarısız, 0 iptal edildi')).toBeInTheDocument();
    expect(
      screen.getByText('Başarısız olan ya da iptal edilen öğeler için 2 kredi iade edildi.'),
    ).toBeInTheDocument();
    expect(bar()?.innerHTML).toContain('--mantine-color-orange');
  });

  it('all succeeded: finished, green, no refund', async () => {
    await i18n.changeLanguage('en');
    show(aBatch([aJob({ status: 'succeeded' }), aJob({ status: 'succeeded' })]));
    expect(await screen.findByText('Finished')).toBeInTheDocument();
    expect(screen.queryByText('Canceled')).toBeNull();
    expect(screen.getByText('2 succeeded, 0 failed, 0 canceled')).toBeInTheDocument();
    expect(screen.queryByText(/refunded/)).toBeNull();
    expect(bar()?.innerHTML).toContain('--mantine-color-green');
  });
});
