import type { ReactElement } from 'react';
import { layout } from './layout';
import type { EmailLanguage, EmailTemplate, TemplateData } from './template-names';

/** What every template is given besides its own data. */
export interface TemplateContext {
  language: EmailLanguage;
  /** APP_BASE_URL without a trailing slash: every link is absolute. */
  baseUrl: string;
  /** The SPA's unsubscribe page for this message (non-security mail only). */
  unsubscribeUrl?: string;
}

export interface Composed {
  subject: string;
  element: ReactElement;
}

type Template<T extends EmailTemplate> = (
  data: TemplateData[T],
  context: TemplateContext,
) => Composed;

const FOOTER: Record<EmailLanguage, string> = {
  en: 'Jewelshot: studio shots of your jewelry.',
  tr: 'Jewelshot: mücevherleriniz için stüdyo çekimleri.',
};
const UNSUBSCRIBE: Record<EmailLanguage, string> = {
  en: 'Stop these emails',
  tr: 'Bu e-postaları durdur',
};

function frame(
  context: TemplateContext,
  subject: string,
  paragraphs: string[],
  action?: { label: string; href: string },
): Composed {
  return {
    subject,
    element: layout({
      language: context.language,
      preview: paragraphs[0] ?? subject,
      heading: subject,
      paragraphs,
      action,
      footer: FOOTER[context.language],
      unsubscribe: context.unsubscribeUrl
        ? { label: UNSUBSCRIBE[context.language], href: context.unsubscribeUrl }
        : undefined,
    }),
  };
}

const link = (context: TemplateContext, path: string, query?: Record<string, string>): string => {
  const url = new URL(`${context.baseUrl}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url.toString();
};

const welcome: Template<'welcome'> = (_data, c) =>
  c.language === 'tr'
    ? frame(
        c,
        "Jewelshot'a hoş geldiniz",
        ['Hesabınız hazır. İlk ürün fotoğrafınızı yükleyip bir sahne tarif edin.'],
        {
          label: 'İlk çekimi başlat',
          href: link(c, '/shots/new'),
        },
      )
    : frame(
        c,
        'Welcome to Jewelshot',
        ['Your account is ready. Upload your first product photo and describe a scene.'],
        {
          label: 'Start a shot',
          href: link(c, '/shots/new'),
        },
      );

const verifyEmail: Template<'verify-email'> = (data, c) => {
  const href = link(c, '/verify-email', { token: data.token });
  return c.language === 'tr'
    ? frame(
        c,
        'E-posta adresinizi doğrulayın',
        [
          'Bu adresin size ait olduğunu doğrulamak için aşağıdaki bağlantıyı açın.',
          'Hesabı siz açmadıysanız bu e-postayı yok sayın.',
        ],
        { label: 'Adresi doğrula', href },
      )
    : frame(
        c,
        'Verify your email address',
        [
          'Open the link below to confirm that this address is yours.',
          'If you did not create an account, ignore this email.',
        ],
        { label: 'Verify address', href },
      );
};

const passwordReset: Template<'password-reset'> = (data, c) => {
  const href = link(c, '/reset-password', { token: data.token });
  return c.language === 'tr'
    ? frame(
        c,
        'Parolanızı sıfırlayın',
        [
          'Parolanızı sıfırlamak için aşağıdaki bağlantıyı 30 dakika içinde açın. Bağlantı bir kez kullanılabilir.',
          'Bunu siz istemediyseniz bu e-postayı yok sayın; parolanız değişmez.',
        ],
        { label: 'Yeni parola belirle', href },
      )
    : frame(
        c,
        'Reset your password',
        [
          'Open the link below within 30 minutes to choose a new password. It works once.',
          'If you did not ask for this, ignore this email: your password stays as it is.',
        ],
        { label: 'Choose a new password', href },
      );
};

const passwordChanged: Template<'password-changed'> = (_data, c) =>
  c.language === 'tr'
    ? frame(
        c,
        'Parolanız değişti',
        [
          'Hesabınızın parolası az önce değiştirildi ve tüm oturumlar kapatıldı.',
          'Bunu siz yapmadıysanız hemen parolanızı sıfırlayın.',
        ],
        { label: 'Parolayı sıfırla', href: link(c, '/forgot-password') },
      )
    : frame(
        c,
        'Your password was changed',
        [
          'The password of your account was just changed and every session was signed out.',
          'If this was not you, reset your password now.',
        ],
        { label: 'Reset password', href: link(c, '/forgot-password') },
      );

/** The operations as the SPA names them; an unknown one is shown as it is. */
const OPERATION_NAMES: Record<EmailLanguage, Record<string, string>> = {
  en: {
    generate: 'Generate from a prompt',
    edit: 'Edit with a prompt',
    'remove-background': 'Remove background',
    upscale: 'Upscale',
  },
  tr: {
    generate: 'Açıklamadan üret',
    edit: 'Açıklamayla düzenle',
    'remove-background': 'Arka planı kaldır',
    upscale: 'Büyüt',
  },
};

/** Why a job failed, per failure code (the API's JobErrorDto.code), in the reader's words. */
const FAILURE_REASONS: Record<EmailLanguage, Record<string, string>> = {
  en: {
    PROVIDER_ERROR: 'the image service could not make this picture',
    PROVIDER_TIMEOUT: 'the image service took too long to answer',
    INVALID_INPUT: 'the image service could not use this photo or prompt',
    DEADLINE_EXCEEDED: 'it took too long and was stopped',
    INTERNAL_ERROR: 'something went wrong on our side',
  },
  tr: {
    PROVIDER_ERROR: 'görsel hizmeti bu resmi oluşturamadı',
    PROVIDER_TIMEOUT: 'görsel hizmeti çok geç yanıt verdi',
    INVALID_INPUT: 'görsel hizmeti bu fotoğrafı veya istemi kullanamadı',
    DEADLINE_EXCEEDED: 'iş çok uzun sürdüğü için durduruldu',
    INTERNAL_ERROR: 'bizim tarafımızda bir sorun oluştu',
  },
};

const jobFailed: Template<'job-failed'> = (data, c) => {
  const href = link(c, `/jobs/${data.jobId}`);
  const operation = OPERATION_NAMES[c.language][data.operation] ?? data.operation;
  const reason = (data.reasonCode && FAILURE_REASONS[c.language][data.reasonCode]) || data.reason;
  return c.language === 'tr'
    ? frame(
        c,
        'Bir çekim başarısız oldu',
        [
          `"${operation}" işi son denemesinden sonra başarısız oldu: ${reason}.`,
          `${data.refunded} kredi hesabınıza iade edildi.`,
        ],
        { label: 'İşi gör', href },
      )
    : frame(
        c,
        'A shot failed',
        [
          `Your "${operation}" job failed after its last attempt: ${reason}.`,
          `${data.refunded} credit(s) were refunded to your account.`,
        ],
        { label: 'See the job', href },
      );
};

const batchFinished: Template<'batch-finished'> = (data, c) => {
  const href = link(c, `/batches/${data.batchId}`);
  return c.language === 'tr'
    ? frame(
        c,
        'Toplu işiniz bitti',
        [
          `${data.total} fotoğraftan ${data.succeeded} tanesi hazır, ${data.failed} tanesi başarısız (krediler iade edildi).`,
        ],
        { label: 'Sonuçları gör', href },
      )
    : frame(
        c,
        'Your batch is finished',
        [
          `${data.succeeded} of ${data.total} photos are ready, ${data.failed} failed (their credits were refunded).`,
        ],
        { label: 'See the results', href },
      );
};

const lowCredits: Template<'low-credits'> = (data, c) => {
  const href = link(c, '/credits');
  return c.language === 'tr'
    ? frame(
        c,
        'Krediniz azaldı',
        [`Kullanılabilir krediniz ${data.available}; ${data.threshold} sınırının altına düştü.`],
        { label: 'Krediler', href },
      )
    : frame(
        c,
        'Your credits are running low',
        [`You have ${data.available} credit(s) available, below ${data.threshold}.`],
        { label: 'Credits', href },
      );
};

const adminAlert: Template<'admin-alert'> = (data, c) => {
  const action = data.link
    ? { label: c.language === 'tr' ? 'Aç' : 'Open', href: link(c, data.link) }
    : undefined;
  return frame(c, `[Jewelshot admin] ${data.title}`, [data.detail], action);
};

const webhookDisabled: Template<'webhook-disabled'> = (data, c) => {
  const href = link(c, '/account/webhooks');
  const since = data.failingSinceIso.slice(0, 10);
  return c.language === 'tr'
    ? frame(
        c,
        'Webhook uç noktanız devre dışı bırakıldı',
        [
          `${data.url} adresine yapılan gönderimler ${since} tarihinden beri başarısız oldu; uç nokta devre dışı bırakıldı ve artık olay almayacak.`,
          'Alıcıyı düzelttikten sonra uç noktayı yeniden etkinleştirebilir ve başarısız gönderimleri tekrar deneyebilirsiniz.',
        ],
        { label: "Webhook'lar", href },
      )
    : frame(
        c,
        'Your webhook endpoint was disabled',
        [
          `Deliveries to ${data.url} have failed since ${since}; the endpoint was disabled and receives no more events.`,
          'Once the receiver is fixed you can enable the endpoint again and retry the failed deliveries.',
        ],
        { label: 'Webhooks', href },
      );
};

const apiKeyCreated: Template<'api-key-created'> = (data, c) => {
  const href = link(c, '/account/api-keys');
  const scopes = data.scopes.join(', ');
  return c.language === 'tr'
    ? frame(
        c,
        'Yeni bir API anahtarı oluşturuldu',
        [
          `Hesabınızda "${data.name}" adlı bir API anahtarı (${data.prefix}…) oluşturuldu. Yetkileri: ${scopes}.`,
          'Bunu siz yapmadıysanız anahtarı hemen iptal edin ve parolanızı değiştirin.',
        ],
        { label: 'API anahtarları', href },
      )
    : frame(
        c,
        'A new API key was created',
        [
          `An API key named "${data.name}" (${data.prefix}…) was created on your account. Its scopes: ${scopes}.`,
          'If this was not you, revoke the key now and change your password.',
        ],
        { label: 'API keys', href },
      );
};

/** One source per template: the React element gives both the HTML and the plain text. */
export const TEMPLATES: { [T in EmailTemplate]: Template<T> } = {
  welcome,
  'verify-email': verifyEmail,
  'password-reset': passwordReset,
  'password-changed': passwordChanged,
  'api-key-created': apiKeyCreated,
  'job-failed': jobFailed,
  'batch-finished': batchFinished,
  'low-credits': lowCredits,
  'admin-alert': adminAlert,
  'webhook-disabled': webhookDisabled,
};
