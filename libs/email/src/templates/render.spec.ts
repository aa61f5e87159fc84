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

  it("words a failed job's operation and known failure code in the reader's language", async () => {
    const data = {
      jobId: '7f1c2a9e-0000-4000-8000-000000000001',
      operation: 'remove-background',
      reasonCode: 'PROVIDER_TIMEOUT',
      reason: 'The provider did not answer in time',
      refunded: 1,
    };
    const context = { baseUrl: 'https://app.example' };
    const tr = await renderEmail('job-failed', data, { ...context, language: 'tr' });
    expect(tr.text).toContain('"Arka planı kaldır" işi');
    expect(tr.text).toContain('Bir çekim başarısız oldu');
    expect(tr.text).not.toContain('BIR');
    expect(tr.text).toContain('görsel hizmeti çok geç yanıt verdi');
    expect(tr.text).not.toContain(data.reason);
    const en = await renderEmail('job-failed', data, { ...context, language: 'en' });
    expect(en.text).toContain('Your "Remove background" job');
    // A code the mail does not know falls back to the English words it was given.
    const unknown = await renderEmail(
      'job-failed',
      { ...data, reasonCode: 'SOMETHING_NEW' },
      { ...context, language: 'tr' },
    );
    expect(unknown.text).toContain(data.reason);
  });
});
