import { ApiError, type UploadedFile } from '@jewelshot/api-client';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { json, page, problem, stubApi, type Call } from '../test/seller-api';
import { FilesPage } from './files';
import { NewShotPage } from './new-shot';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

let n = 0;
/** A file as GET /v1/files lists it (FileDto). */
function aFile(overrides: Partial<UploadedFile> = {}): UploadedFile {
  n += 1;
  const id = `5d0c6a7e-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    kind: 'upload',
    jobId: null,
    url: `http://localhost/v1/files/${id}/content?sig=s`,
    urlExpiresAt: '2026-11-28T11:00:00.000Z',
    width: 640,
    height: 480,
    bytes: 30_925,
    contentType: 'image/png',
    createdAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
  };
}

/**
 * The /v1/files routes over `files` (newest first): the list by kind, a page of `limit` at a
 * time (the cursor is the offset), the usage they add up to, and DELETE. A file in `inUse` is
 * refused with 409 FILE_IN_USE naming those jobs; `hold` keeps a DELETE's answer back until the
 * function it hands over is called.
 */
function filesApi(
  files: UploadedFile[],
  options: { inUse?: Record<string, string[]>; hold?: (release: () => void) => void } = {},
) {
  let kept = [...files];
  const calls = stubApi(({ method, path, search }) => {
    if (method === 'GET' && path === '/v1/files/usage') {
      return json({ usedBytes: kept.reduce((sum, f) => sum + f.bytes, 0), quotaBytes: GIB });
    }
    if (method === 'GET' && path === '/v1/files') {
      const kind = search.get('kind');
      const list = kept.filter((file) => kind === null || file.kind === kind);
      const start = Number(search.get('cursor') ?? 0);
      const end = start + Number(search.get('limit'));
      return page(list.slice(start, end), end < list.length ? String(end) : null);
    }
    const id = /^\/v1\/files\/([^/]+)$/.exec(path)?.[1];
    if (method === 'DELETE' && id) {
      const jobIds = options.inUse?.[id];
      if (jobIds) {
        return json(
          {
            statusCode: 409,
            code: 'CONFLICT',
            error: 'in use',
            requestId: 'r',
            details: { reason: 'FILE_IN_USE', jobIds },
          },
          409,
        );
      }
      if (!kept.some((file) => file.id === id)) return problem(404, 'RESOURCE_NOT_FOUND');
      const answer = () => {
        kept = kept.filter((file) => file.id !== id);
        return new Response(null, { status: 204 });
      };
      const { hold } = options;
      return hold ? new Promise<Response>((resolve) => hold(() => resolve(answer()))) : answer();
    }
    return undefined;
  });
  const count = (method: string, path: string) =>
    calls.filter((call) => call.method === method && call.path === path).length;
  return { calls, count };
}

const listCalls = (calls: Call[]) => calls.filter((call) => call.path === '/v1/files');

function Where() {
  const { pathname, search } = useLocation();
  return <output data-testid="where">{pathname + search}</output>;
}

const app = (
  <>
    <FilesPage />
    <Where />
  </>
);

describe('the files page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the storage use and each file: thumbnail, size, date, and the job of a result', async () => {
    await i18n.changeLanguage('en');
    const output = aFile({
      kind: 'output',
      jobId: '0b6f7c1e-0000-4000-8000-000000000042',
      width: 2048,
      height: 2048,
      bytes: 3 * MIB,
      createdAt: '2026-11-28T10:00:00.000Z',
    });
    const upload = aFile({ bytes: 2.5 * MIB });
    filesApi([output, upload]);
    renderPage(app, '/files');

    expect(await screen.findByRole('heading', { level: 1, name: 'Files' })).toBeInTheDocument();
    expect(document.title).toBe('Files · Jewelshot');
    const bar = await screen.findByRole('progressbar', { name: 'Storage used' });
    expect(bar).toHaveAttribute('aria-valuetext', '5.5 MB of 1 GB');
    expect(bar).toHaveAttribute('aria-valuenow', '1');
    expect(screen.getByTestId('storage-usage')).toHaveTextContent('5.5 MB of 1 GB');

    const result = await screen.findByRole('img', { name: /^Result image, Nov 28, 2026/ });
    expect(result).toHaveAttribute('src', output.url);
    const resultCard = within(result.closest('.mantine-Card-root') as HTMLElement);
    expect(resultCard.getByText('Result')).toBeInTheDocument();
    expect(resultCard.getByText('2048 × 2048 · 3 MB')).toBeInTheDocument();
    expect(resultCard.getByRole('link', { name: 'Open its job' })).toHaveAttribute(
      'href',
      `/jobs/${output.jobId}`,
    );

    const photo = screen.getByRole('img', { name: /^Uploaded photo, Nov 28, 2026/ });
    expect(photo).toHaveAttribute('src', upload.url);
    const uploadCard = within(photo.closest('.mantine-Card-root') as HTMLElement);
    expect(uploadCard.getByText('640 × 480 · 2.5 MB')).toBeInTheDocument();
    expect(uploadCard.queryByRole('link')).toBeNull();
    expect(
      uploadCard.getByRole('button', { name: /^Delete upload of Nov 28, 2026/ }),
    ).toBeEnabled();
    expect(screen.queryByText(/storage is full/)).toBeNull();
  });

  it('says so when the storage is full', async () => {
    await i18n.changeLanguage('en');
    filesApi([aFile({ bytes: GIB })]);
    renderPage(app, '/files');
    expect(
      await screen.findByText(
        'Your storage is full. New uploads are refused until you delete files.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Storage used' })).toHaveAttribute(
      'aria-valuenow',
      '100',
    );
  });

  it('filters by kind through the API and keeps the filter in the URL, in Turkish too', async () => {
    await i18n.changeLanguage('tr');
    const output = aFile({ kind: 'output', jobId: '0b6f7c1e-0000-4000-8000-000000000043' });
    const upload = aFile({ bytes: 1536 });
    const { calls } = filesApi([output, upload]);
    renderPage(app, '/files');

    expect(await screen.findByRole('heading', { level: 1, name: 'Dosyalar' })).toBeInTheDocument();
    expect(await screen.findByTestId('storage-usage')).toHaveTextContent(
      '31,7 kB / 1 GB kullanılıyor',
    );
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(2));
    expect(listCalls(calls).at(-1)?.search.get('kind')).toBeNull();

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Göster' }), 'output');
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(1));
    expect(screen.getByRole('img', { name: /^Sonuç görseli/ })).toBeInTheDocument();
    expect(listCalls(calls).at(-1)?.search.get('kind')).toBe('output');
    expect(screen.getByTestId('where')).toHaveTextContent('/files?kind=output');

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Göster' }), 'upload');
    expect(await screen.findByRole('img', { name: /^Yüklenen fotoğraf/ })).toBeInTheDocument();
    expect(screen.getByText('640 × 480 · 1,5 kB')).toBeInTheDocument();
    expect(listCalls(calls).at(-1)?.search.get('kind')).toBe('upload');
    expect(screen.getByTestId('where')).toHaveTextContent('/files?kind=upload');

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Göster' }), '');
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(2));
    expect(screen.getByTestId('where')).toHaveTextContent(/^\/files$/);
    await i18n.changeLanguage('en');
  });

  it('reads the filter from the URL, and says when nothing is left of that kind', async () => {
    await i18n.changeLanguage('en');
    const { calls } = filesApi([aFile()]);
    renderPage(app, '/files?kind=output');
    expect(await screen.findByText('No results.')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Show' })).toHaveValue('output');
    expect(listCalls(calls).map((call) => call.search.get('kind'))).toEqual(['output']);
  });

  it('says when there are no files at all', async () => {
    await i18n.changeLanguage('en');
    filesApi([]);
    renderPage(app, '/files');
    expect(await screen.findByText(/^No files yet\./)).toBeInTheDocument();
    expect(await screen.findByTestId('storage-usage')).toHaveTextContent('0 kB of 1 GB');
  });

  it('asks before deleting, sends one DELETE, then reads the list and the storage use again', async () => {
    await i18n.changeLanguage('en');
    const keep = aFile({ bytes: 3 * MIB, createdAt: '2026-11-28T10:00:00.000Z' });
    const drop = aFile({ bytes: 2.5 * MIB, createdAt: '2026-11-27T09:00:00.000Z' });
    let release = () => {};
    const { calls, count } = filesApi([keep, drop], { hold: (r) => (release = r) });
    renderPage(app, '/files');
    const deleteDrop = await screen.findByRole('button', { name: /^Delete upload of Nov 27/ });
    expect(await screen.findByTestId('storage-usage')).toHaveTextContent('5.5 MB of 1 GB');

    // Cancel deletes nothing.
    await userEvent.click(deleteDrop);
    let dialog = await screen.findByRole('dialog', { name: 'Delete this upload?' });
    expect(dialog).toHaveTextContent(
      'The photo is deleted for good and its 2.5 MB are freed. Results already made from it stay. This cannot be undone.',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(count('DELETE', `/v1/files/${drop.id}`)).toBe(0);

    const listsBefore = count('GET', '/v1/files');
    const usageBefore = count('GET', '/v1/files/usage');
    await userEvent.click(deleteDrop);
    dialog = await screen.findByRole('dialog', { name: 'Delete this upload?' });
    // A double click on the dialog's button still deletes once.
    await userEvent.dblClick(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(count('DELETE', `/v1/files/${drop.id}`)).toBe(1));
    // While it is pending, no delete button can send another.
    for (const button of screen.getAllByRole('button', { name: /^Delete upload of/ }))
      expect(button).toBeDisabled();

    release();
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: /^Delete upload of Nov 27/ })).toBeNull(),
    );
    expect(await screen.findByTestId('storage-usage')).toHaveTextContent('3 MB of 1 GB');
    expect(count('GET', '/v1/files')).toBe(listsBefore + 1);
    expect(count('GET', '/v1/files/usage')).toBe(usageBefore + 1);
    expect(calls.filter((call) => call.method === 'DELETE')).toHaveLength(1);
    expect(screen.getByRole('button', { name: /^Delete upload of Nov 28/ })).toBeEnabled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says a file still used by a job in progress cannot be deleted, and links to that job', async () => {
    await i18n.changeLanguage('en');
    const busy = aFile();
    const jobId = '0b6f7c1e-0000-4000-8000-000000000099';
    const { count } = filesApi([busy], { inUse: { [busy.id]: [jobId] } });
    renderPage(app, '/files');
    await userEvent.click(await screen.findByRole('button', { name: /^Delete upload of/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this upload?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'This image is still used by a job in progress. Cancel that job or wait for it to finish, then delete it.',
    );
    expect(within(alert).getByRole('link', { name: 'Open the job using it' })).toHaveAttribute(
      'href',
      `/jobs/${jobId}`,
    );
    // The alert is on the card of the file that was not deleted, which is still listed.
    const card = alert.closest('.mantine-Card-root') as HTMLElement;
    expect(within(card).getByRole('img', { name: /^Uploaded photo/ })).toBeInTheDocument();
    expect(count('DELETE', `/v1/files/${busy.id}`)).toBe(1);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /^Delete upload of/ })).toBeEnabled(),
    );
  });

  it('pages with Load more', async () => {
    await i18n.changeLanguage('en');
    const files = Array.from({ length: 21 }, (_, i) =>
      aFile({ createdAt: `2026-11-${String(28 - i).padStart(2, '0')}T09:00:00.000Z` }),
    );
    const { calls } = filesApi(files);
    renderPage(app, '/files');
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(20));
    expect(screen.queryByRole('img', { name: /Nov 8, 2026/ })).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('img', { name: /Nov 8, 2026/ })).toBeInTheDocument();
    expect(screen.getAllByRole('img')).toHaveLength(21);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(listCalls(calls).map((call) => call.search.get('cursor'))).toEqual([null, '20']);
  });
});

describe('an upload refused because the storage is full', () => {
  afterEach(() => vi.unstubAllGlobals());

  const creditsApi = () =>
    stubApi(({ path }) => {
      if (path === '/v1/credits/balance') return json({ available: 5, balance: 5, reserved: 0 });
      if (path === '/v1/credits/prices') return json([]);
      return undefined;
    });

  const quotaError = (details: Record<string, number>) =>
    new ApiError(413, {
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      error: 'This upload would exceed your storage quota',
      requestId: 'r',
      details,
    });

  it('points the new shot page to the Files page', async () => {
    await i18n.changeLanguage('en');
    vi.spyOn(api, 'upload').mockRejectedValue(
      quotaError({ used: GIB - 10, quota: GIB, incoming: 2 * MIB }),
    );
    creditsApi();
    const { container } = renderPage(<NewShotPage />, '/shots/new');
    await screen.findByRole('heading', { name: 'New shot' });
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.upload(input, new File(['png'], 'ring.png', { type: 'image/png' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Your storage space is full: this photo would take you past your limit. Delete files you no longer need on the Files page, then try again.',
    );
    expect(
      within(alert).getByRole('link', { name: 'Free up space on the Files page' }),
    ).toHaveAttribute('href', '/files');
  });

  it('keeps the general message for an image with too many pixels', async () => {
    await i18n.changeLanguage('tr');
    vi.spyOn(api, 'upload').mockRejectedValue(
      quotaError({ width: 20_000, height: 20_000, maxPixels: 100_000_000 }),
    );
    creditsApi();
    const { container } = renderPage(<NewShotPage />, '/shots/new');
    await screen.findByRole('heading', { name: 'Yeni çekim' });
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.upload(input, new File(['png'], 'ring.png', { type: 'image/png' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Bu çok büyük');
    expect(within(alert).queryByRole('link')).toBeNull();
    await i18n.changeLanguage('en');
  });
});
