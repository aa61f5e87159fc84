import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { aJob, json, stubApi } from '../test/seller-api';
import { JobDetailPage } from './job-detail';

const costOf = async (job: ReturnType<typeof aJob>) => {
  stubApi(({ path }) => (path === `/v1/ai/jobs/${job.id}` ? json(job) : undefined));
  renderPage(
    <Routes>
      <Route path="/jobs/:id" element={<JobDetailPage />} />
    </Routes>,
    `/jobs/${job.id}`,
  );
  const header = await screen.findByText(/^(Cost|Ücret)$/);
  return within(header.closest('tr') as HTMLElement).getByRole('cell').textContent;
};

describe("a job's cost on its page", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is the price when the job succeeded', async () => {
    await i18n.changeLanguage('en');
    expect(await costOf(aJob({ status: 'succeeded' }))).toBe('1 credit');
  });

  it('says it was refunded when the job failed', async () => {
    await i18n.changeLanguage('en');
    const failed = aJob({ status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'boom' } });
    expect(await costOf(failed)).toBe('1 credit — refunded');
    expect(screen.getByText(/Your credits were refunded/)).toBeInTheDocument();
  });

  it('says it was refunded when the job was canceled, in Turkish too', async () => {
    await i18n.changeLanguage('tr');
    expect(await costOf(aJob({ status: 'canceled', cost: 4 }))).toBe('4 kredi — iade edildi');
  });
});
