import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { anEntry, json, page, stubApi } from '../test/seller-api';
import { CreditsPage } from './credits';

/** An admin's free retry of a failed job, which failed too: the grant, its charge-back. */
const ENTRIES = [
  anEntry({
    id: '3',
    delta: -1,
    balanceAfter: 3,
    reason: 'Grant taken back: the job it paid for did not succeed',
  }),
  anEntry({
    id: '2',
    delta: 1,
    balanceAfter: 4,
    reason: 'Free retry of a failed remove-background job',
  }),
  anEntry({ id: '1', delta: 3, balanceAfter: 3, reason: 'Sign-up credits' }),
  anEntry({ id: '0', kind: 'purchase', delta: 10, balanceAfter: 10, reason: 'Order 1234' }),
  anEntry({
    id: '4',
    kind: 'charge',
    delta: -1,
    balanceAfter: 2,
    reason: 'remove-background × 1',
    operation: 'remove-background',
    quantity: 1,
  }),
  anEntry({ id: '5', kind: 'grant', delta: 2, balanceAfter: 4, reason: null }),
];

const showHistory = () => {
  stubApi(({ path }) => {
    if (path === '/v1/credits/balance') return json({ available: 3, balance: 3, reserved: 0 });
    if (path === '/v1/credits/history') return page(ENTRIES);
    return undefined;
  });
  renderPage(<CreditsPage />, '/credits');
};

describe('the credit history', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says why each grant was made or taken back, and what a charge paid for', async () => {
    await i18n.changeLanguage('en');
    showHistory();
    expect(
      await screen.findByRole('cell', {
        name: 'Granted: Grant taken back: the job it paid for did not succeed',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('cell', { name: 'Granted: Free retry of a failed job (Remove background)' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Granted: Sign-up credits' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Purchased: Order 1234' })).toBeInTheDocument();
    // A charge's reason is the machine form of its operation: the operation in words instead.
    expect(screen.getByRole('cell', { name: 'Charged: Remove background' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Granted' })).toBeInTheDocument();
  });

  it('says it in Turkish', async () => {
    await i18n.changeLanguage('tr');
    showHistory();
    expect(
      await screen.findByRole('cell', {
        name: 'Tanımlandı: Tanımlanan kredi geri alındı: karşıladığı iş başarılı olmadı',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('cell', {
        name: 'Tanımlandı: Başarısız bir işin ücretsiz yeniden denemesi (Arka planı kaldır)',
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Tanımlandı: Kayıt kredileri' })).toBeInTheDocument();
  });
});
