import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { SignInPage } from './sign-in';

function renderSignIn() {
  return render(
    <MantineProvider>
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={['/sign-in']}>
          <SignInPage />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const answer = (status: number, body: unknown) =>
  vi.fn(async () => Response.json(body, { status }));

describe('signing in', () => {
  it('tells a banned account so, instead of a blank page', async () => {
    await i18n.changeLanguage('en');
    vi.stubGlobal(
      'fetch',
      answer(403, { statusCode: 403, code: 'ACCOUNT_BANNED', error: 'Forbidden', requestId: 'r' }),
    );
    renderSignIn();
    await userEvent.type(screen.getByRole('textbox', { name: /email/i }), 'banned@example.com');
    await userEvent.type(screen.getByLabelText(/^password/i), 'some-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This account has been suspended');
    vi.unstubAllGlobals();
  });

  it("shows the API's validation messages next to their fields", async () => {
    await i18n.changeLanguage('en');
    vi.stubGlobal(
      'fetch',
      answer(400, {
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        error: 'Bad Request',
        requestId: 'r',
        details: [
          { field: 'email', message: 'email must be a valid email address', constraint: 'isEmail' },
        ],
      }),
    );
    renderSignIn();
    await userEvent.type(screen.getByRole('textbox', { name: /email/i }), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const email = screen.getByRole('textbox', { name: /email/i });
    expect(await screen.findByText('Enter a valid email address')).toBeInTheDocument();
    expect(email).toHaveAttribute('aria-invalid', 'true');
    vi.unstubAllGlobals();
  });
});
