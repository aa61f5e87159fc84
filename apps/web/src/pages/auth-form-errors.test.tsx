import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderPage } from '../test/render';
import { AuthForm } from './auth-form';

const answer = (status: number, body: unknown) =>
  vi.fn(async () => Response.json(body, { status }));

async function submitSignUp(email: string, password: string) {
  renderPage(<AuthForm mode="sign-up" />, '/sign-up');
  await userEvent.type(screen.getByRole('textbox', { name: i18n.t('auth.email') }), email);
  await userEvent.type(screen.getByLabelText(new RegExp(`^${i18n.t('auth.password')}`)), password);
  await userEvent.click(screen.getByRole('button', { name: i18n.t('auth.signUp') }));
}

describe('the errors of the sign-in and sign-up forms', () => {
  afterEach(async () => {
    vi.unstubAllGlobals();
    await i18n.changeLanguage('en');
  });

  it('says an email already has an account, with links to sign in and to reset the password', async () => {
    await i18n.changeLanguage('en');
    vi.stubGlobal(
      'fetch',
      answer(409, {
        statusCode: 409,
        code: 'CONFLICT',
        error: 'An account with this email already exists',
        requestId: 'r',
        details: { reason: 'EMAIL_TAKEN' },
      }),
    );
    await submitSignUp('seller@example.com', 'a-long-enough-password');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('An account with this email already exists');
    expect(alert).not.toHaveTextContent('clashes with something');
    expect(within(alert).getByRole('link', { name: 'Sign in' })).toHaveAttribute(
      'href',
      '/sign-in',
    );
    expect(within(alert).getByRole('link', { name: 'Reset your password' })).toHaveAttribute(
      'href',
      '/forgot-password',
    );
  });

  it('shows field errors in Turkish words, not the API English text', async () => {
    await i18n.changeLanguage('tr');
    vi.stubGlobal(
      'fetch',
      answer(400, {
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        error: 'The request is invalid',
        requestId: 'r',
        details: [
          { field: 'email', message: 'email must be a valid email address', constraint: 'isEmail' },
          {
            field: 'password',
            message: 'password must be 10 to 128 characters',
            constraint: 'minLength',
            min: 10,
          },
        ],
      }),
    );
    await submitSignUp('nope', 'short');
    expect(await screen.findByText('En az 10 karakter kullanın')).toBeInTheDocument();
    expect(screen.getByText('Geçerli bir e-posta adresi girin')).toBeInTheDocument();
    expect(screen.queryByText(/must be/)).not.toBeInTheDocument();
  });

  it('asks for a password left empty, in English words', async () => {
    await i18n.changeLanguage('en');
    vi.stubGlobal(
      'fetch',
      answer(400, {
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        error: 'The request is invalid',
        requestId: 'r',
        details: [
          {
            field: 'password',
            message: 'password must be longer than or equal to 1 characters',
            constraint: 'minLength',
            min: 1,
          },
        ],
      }),
    );
    renderPage(<AuthForm mode="sign-in" />, '/sign-in');
    await userEvent.type(screen.getByRole('textbox', { name: /email/i }), 'seller@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your password')).toBeInTheDocument();
    expect(screen.queryByText(/longer than or equal/)).not.toBeInTheDocument();
  });
});
