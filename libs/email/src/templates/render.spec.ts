import { renderEmail } from './render';
import { EMAIL_LANGUAGES } from './template-names';

describe('renderEmail', () => {
  it('renders HTML and text with absolute links', async () => {
    for (const language of EMAIL_LANGUAGES) {
      const mail = await renderEmail(
        'password-reset',
        { token: 'abc' },
        { language, baseUrl: 'https://app.example' },
      );
      expect(mail.html).toContain('https://app.example/reset-password?token=abc');
      expect(mail.text).toContain('https://app.example/reset-password?token=abc');
    }
  });
});
