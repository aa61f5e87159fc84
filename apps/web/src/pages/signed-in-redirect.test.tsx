import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Route, Routes } from 'react-router';
import { api } from '../api';
import { i18n } from '../i18n';
import { authOf } from '../test/fake-api';
import { renderPage } from '../test/render';
import { SignInPage } from './sign-in';
import { SignUpPage } from './sign-up';

function routes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/sign-up" element={<SignUpPage />} />
      <Route path="/" element={<h1>Home page</h1>} />
    </Routes>
  );
}

describe('the sign-in and sign-up pages while signed in', () => {
  afterEach(() => {
    api.session.signOut();
  });

  it.each(['/sign-in', '/sign-up'])('%s takes a signed-in user home', async (path) => {
    await i18n.changeLanguage('en');
    api.session.signIn(authOf('alice'));
    renderPage(routes(), path);
    expect(await screen.findByRole('heading', { name: 'Home page' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Sign in|Create account/ })).toBeNull();
  });

  it('still shows the form to a signed-out visitor', async () => {
    await i18n.changeLanguage('en');
    renderPage(routes(), '/sign-in');
    expect(screen.getByRole('heading', { name: 'Sign in to Jewelshot' })).toBeInTheDocument();
  });
});
