import { AuthForm } from './auth-form';

export function SignUpPage() {
  return <AuthForm mode="sign-up" />;
}
