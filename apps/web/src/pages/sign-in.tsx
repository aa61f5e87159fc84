import { SignedOutOnly } from '../auth/signed-out-only';
import { AuthForm } from './auth-form';

export function SignInPage() {
  return (
    <SignedOutOnly>
      <AuthForm mode="sign-in" />
    </SignedOutOnly>
  );
}
