import { render, screen } from '@testing-library/react';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { i18n } from './i18n';
import { fakeApi } from './test/fake-api';

describe('a first visit, signed out', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('shows the sign-in form without saying a session ended', async () => {
    await i18n.changeLanguage('en');
    // Nobody has signed in in this browser: the refresh has no cookie and is refused.
    const fetchFn = vi.fn(fakeApi().fetchFn);
    vi.stubGlobal('fetch', fetchFn);
    // What main.tsx does before the first render.
    await expect(api.session.resume()).resolves.toBe(false);
    render(<App />);

    expect(await screen.findByRole('heading', { name: 'Sign in to Jewelshot' })).toBeVisible();
    expect(screen.queryByText('Your session ended. Please sign in again.')).toBeNull();
    expect(screen.queryByRole('status')).toBeNull();
  }, 30_000);
});
