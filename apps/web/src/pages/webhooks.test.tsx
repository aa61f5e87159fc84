import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { WebhooksPage } from './webhooks';

const ENDPOINT = {
  id: '11111111-1111-4111-8111-111111111111',
  url: 'https://shop.example.com/hooks',
  events: ['job.succeeded'],
  description: 'shop',
  enabled: true,
  disabledAt: null,
  failingSince: null,
  previousSecretExpiresAt: null,
  createdAt: '2026-11-28T10:00:00.000Z',
};

const DELIVERY = {
  id: '22222222-2222-4222-8222-222222222222',
  eventId: 'msg_abc',
  eventType: 'job.failed',
  attempt: 2,
  status: 'failed',
  responseStatus: 500,
  responseBody: 'boom',
  error: null,
  durationMs: 12,
  createdAt: '2026-11-28T10:05:00.000Z',
};

/** A fake of the webhook routes the page calls, recording each request. */
function fakeApi({ deleteStatus = 204 }: { deleteStatus?: number } = {}) {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  let endpoints: (typeof ENDPOINT)[] = [];
  const fetch = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const path = new URL(request.url, 'http://localhost').pathname;
    const text = await request.text();
    calls.push({ method: request.method, path, body: text ? JSON.parse(text) : undefined });
    if (request.method === 'GET' && path === '/v1/webhooks')
      return Response.json({ data: endpoints });
    if (request.method === 'POST' && path === '/v1/webhooks') {
      endpoints = [ENDPOINT];
      return Response.json({ ...ENDPOINT, secret: 'whsec_shown_once' }, { status: 201 });
    }
    if (path.endsWith('/deliveries')) return Response.json({ data: [DELIVERY], nextCursor: null });
    if (path.endsWith('/retry') || path.endsWith('/test'))
      return Response.json({ eventId: 'msg_abc' }, { status: 202 });
    if (path.endsWith('/rotate-secret'))
      return Response.json({ ...ENDPOINT, secret: 'whsec_rotated' });
    if (request.method === 'DELETE' && path === `/v1/webhooks/${ENDPOINT.id}`) {
      if (deleteStatus !== 204)
        return Response.json(
          { statusCode: deleteStatus, code: 'INTERNAL_ERROR', error: 'boom', requestId: 'req-del' },
          { status: deleteStatus },
        );
      endpoints = [];
      return new Response(null, { status: 204 });
    }
    return Response.json(
      { statusCode: 404, code: 'RESOURCE_NOT_FOUND', error: 'x', requestId: 'r' },
      { status: 404 },
    );
  });
  vi.stubGlobal('fetch', fetch);
  return { calls };
}

/** Adds ENDPOINT through the form and dismisses its secret. */
async function addEndpoint() {
  await userEvent.type(await screen.findByRole('textbox', { name: /endpoint url/i }), ENDPOINT.url);
  await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
  await userEvent.click(await screen.findByRole('button', { name: 'I have stored it' }));
}

// Typing and several round trips: slow on a loaded 2-CPU machine.
describe('the webhooks page', { timeout: 20_000 }, () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creates an endpoint with the chosen events and shows its secret once', async () => {
    await i18n.changeLanguage('en');
    const { calls } = fakeApi();
    renderPage(<WebhooksPage />, '/account/webhooks');
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: /endpoint url/i }), ENDPOINT.url);
    await userEvent.click(screen.getByRole('checkbox', { name: /credits\.low/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByTestId('webhook-secret')).toHaveTextContent('whsec_shown_once');
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/webhooks')?.body).toEqual({
      url: ENDPOINT.url,
      events: ['job.succeeded', 'job.failed', 'credits.low'],
      description: '',
    });
    expect(await screen.findByText(ENDPOINT.url)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument();
  });

  it('lists deliveries with their status, retries one, sends a test event and rotates the secret', async () => {
    await i18n.changeLanguage('en');
    const { calls } = fakeApi();
    renderPage(<WebhooksPage />, '/account/webhooks');
    await userEvent.type(
      await screen.findByRole('textbox', { name: /endpoint url/i }),
      ENDPOINT.url,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    await userEvent.click(await screen.findByRole('button', { name: 'I have stored it' }));
    const card = await screen.findByTestId('webhook-endpoint');
    await userEvent.click(within(card).getByRole('button', { name: 'Deliveries' }));
    const table = await within(card).findByRole('table', { name: 'Deliveries' });
    expect(within(table).getByText('Failed')).toBeInTheDocument();
    expect(within(table).getByText(/500/)).toBeInTheDocument();
    // Which event it was, by its type.
    expect(within(table).getByRole('columnheader', { name: 'Event' })).toBeInTheDocument();
    expect(within(table).getByText('job.failed')).toBeInTheDocument();
    await userEvent.click(within(table).getByRole('button', { name: 'Retry' }));
    await userEvent.click(within(card).getByRole('button', { name: 'Send test event' }));
    await userEvent.click(within(card).getByRole('button', { name: 'Rotate secret' }));
    const dialog = await screen.findByRole('dialog', {
      name: `Rotate the signing secret of ${ENDPOINT.url}?`,
    });
    expect(dialog).toHaveTextContent('The old one keeps signing alongside it for 24 hours');
    expect(calls.some((c) => c.path.endsWith('/rotate-secret'))).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));
    expect(await screen.findByTestId('webhook-secret')).toHaveTextContent('whsec_rotated');
    const posted = calls.filter((c) => c.method === 'POST').map((c) => c.path);
    expect(posted).toEqual(
      expect.arrayContaining([
        `/v1/webhooks/${ENDPOINT.id}/deliveries/${DELIVERY.id}/retry`,
        `/v1/webhooks/${ENDPOINT.id}/test`,
        `/v1/webhooks/${ENDPOINT.id}/rotate-secret`,
      ]),
    );
  });

  it('asks before deleting an endpoint, and deletes nothing on Cancel', async () => {
    await i18n.changeLanguage('en');
    const { calls } = fakeApi();
    renderPage(<WebhooksPage />, '/account/webhooks');
    await addEndpoint();
    const card = await screen.findByTestId('webhook-endpoint');
    await userEvent.click(within(card).getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', {
      name: `Delete the endpoint ${ENDPOINT.url}?`,
    });
    expect(dialog).toHaveTextContent('It stops receiving events at once.');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(screen.getByTestId('webhook-endpoint')).toBeInTheDocument();

    await userEvent.click(within(card).getByRole('button', { name: 'Delete' }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }),
    );
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      `/v1/webhooks/${ENDPOINT.id}`,
    ]);
  });

  it('shows the error of a delete the API refuses, and keeps the endpoint', async () => {
    await i18n.changeLanguage('en');
    fakeApi({ deleteStatus: 500 });
    renderPage(<WebhooksPage />, '/account/webhooks');
    await addEndpoint();
    const card = await screen.findByTestId('webhook-endpoint');
    await userEvent.click(within(card).getByRole('button', { name: 'Delete' }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }),
    );
    const alert = await within(card).findByRole('alert');
    expect(alert).toHaveTextContent('req-del');
    expect(screen.getByTestId('webhook-endpoint')).toBeInTheDocument();
  });

  it('speaks Turkish', async () => {
    await i18n.changeLanguage('tr');
    fakeApi();
    renderPage(<WebhooksPage />, '/account/webhooks');
    expect(await screen.findByText('Henüz uç nokta yok.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Uç noktayı ekle' })).toBeInTheDocument();
    await i18n.changeLanguage('en');
  });
});
