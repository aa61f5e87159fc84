import { SignedOutOnly } from '../auth/signed-out-only';
import { AuthForm } from './auth-form';

export function SignUpPage() {
  return (
    <SignedOutOnly>
      <AuthForm mode="sign-up" />
    </SignedOutOnly>
  );
}
