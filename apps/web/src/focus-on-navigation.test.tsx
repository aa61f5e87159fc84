import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { i18n } from './i18n';
import { en } from './i18n/en';
import { fakeApi } from './test/fake-api';

describe('focus after an in-app navigation', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('is on the new page’s main region, as after a page load; the first page leaves it alone', async () => {
    await i18n.changeLanguage('en');
    vi.stubGlobal('fetch', vi.fn(fakeApi().fetchFn));
    await api.session.resume();
    render(<App />);
    await screen.findByRole('heading', { level: 1, name: 'Sign in to Jewelshot' });
    const main = screen.getByRole('main');
    expect(main).not.toHaveFocus();

    await userEvent.click(screen.getByRole('link', { name: en.mail.forgotLink }));
    await screen.findByRole('heading', { level: 1, name: en.mail.forgotTitle });
    await waitFor(() => expect(screen.getByRole('main')).toHaveFocus());
    // Not a Tab stop: the next Tab goes to the page's first control after it.
    expect(screen.getByRole('main')).toHaveAttribute('tabindex', '-1');
  }, 30_000);
});
