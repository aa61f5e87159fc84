import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { aJob, eventStream, json, problem, stubApi } from '../test/seller-api';
import { JobDetailPage } from './job-detail';
import { NewShotPage } from './new-shot';

function Where() {
  return <output data-testid="where">{useLocation().pathname}</output>;
}

const app = (
  <>
    <Routes>
      <Route path="/shots/new" element={<NewShotPage />} />
      <Route path="/jobs/:id" element={<JobDetailPage />} />
    </Routes>
    <Where />
  </>
);

const PRICES = [{ operation: 'generate', credits: 1 }];

async function fillPrompt() {
  await userEvent.click(await screen.findByRole('radio', { name: /^Generate from a prompt/ }));
  await userEvent.type(screen.getByRole('textbox', { name: /^Prompt/ }), 'a gold ring on marble');
}

describe('the new shot page', () => {
  // jsdom has no ResizeObserver; Mantine's Select (the aspect ratio) reads it.
  beforeEach(() =>
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    ),
  );
  afterEach(() => vi.unstubAllGlobals());

  it("takes the seller to the job's own page after Start, with its live progress and result", async () => {
    await i18n.changeLanguage('en');
    const queued = aJob({ operation: 'generate', status: 'queued' });
    const done = {
      ...queued,
      status: 'succeeded' as const,
      outputs: [{ fileId: 'f1', url: 'http://localhost/out.png', width: 8, height: 8 }],
    };
    stubApi(({ method, path }) => {
      if (path === '/v1/credits/balance') return json({ available: 5, balance: 5, reserved: 0 });
      if (path === '/v1/credits/prices') return json(PRICES);
      if (method === 'POST' && path === '/v1/ai/jobs') return json(queued, 202);
      if (path === `/v1/ai/jobs/${queued.id}/events`) return eventStream([done]);
      if (path === `/v1/ai/jobs/${queued.id}`) return json(done);
      return undefined;
    });
    renderPage(app, '/shots/new');
    await fillPrompt();
    await userEvent.click(screen.getByRole('button', { name: 'Start (1 credit)' }));

    // The URL names the job: a reload or Back comes back to it, not to an empty form.
    await waitFor(() =>
      expect(screen.getByTestId('where')).toHaveTextContent(`/jobs/${queued.id}`),
    );
    expect(screen.getByRole('heading', { name: 'Job' })).toBeInTheDocument();
    expect(await screen.findByRole('img', { name: 'Result 1' })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Progress' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Start another shot' })).toHaveAttribute(
      'href',
      '/shots/new',
    );
  });

  it('reads the balance again when the API refuses the job (402), and Start stops being offered', async () => {
    await i18n.changeLanguage('en');
    let available = 5;
    const calls = stubApi(({ method, path }) => {
      if (path === '/v1/credits/balance')
        return json({ available, balance: available, reserved: 0 });
      if (path === '/v1/credits/prices') return json(PRICES);
      if (method === 'POST' && path === '/v1/ai/jobs') {
        // Another tab spent the credits meanwhile.
        available = 0;
        return problem(402, 'INSUFFICIENT_CREDITS');
      }
      return undefined;
    });
    renderPage(app, '/shots/new');
    await fillPrompt();
    const start = screen.getByRole('button', { name: 'Start (1 credit)' });
    expect(start).toBeEnabled();
    await userEvent.click(start);

    expect(
      (await screen.findAllByText('You need 1 credit but have 0 credits.')).length,
    ).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Start (1 credit)' })).toBeDisabled();
    expect(calls.filter((call) => call.path === '/v1/credits/balance')).toHaveLength(2);
    expect(screen.getByTestId('where')).toHaveTextContent('/shots/new');
  });
});
