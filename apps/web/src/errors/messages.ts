import {
  ApiError,
  NetworkError,
  type ErrorCode,
  type FieldError,
  type JobErrorCode,
} from '@jewelshot/api-client';

type Words = { en: string; tr: string };
type Language = keyof Words;

/**
 * Every error code the API declares (openapi.yaml's ErrorResponseDto.code enum), in plain words,
 * in both languages. One table; errors/messages.test.ts checks it against the spec.
 */
export const ERROR_MESSAGES: Record<ErrorCode, { en: string; tr: string }> = {
  VALIDATION_ERROR: {
    en: 'Some fields need another look.',
    tr: 'Bazı alanların düzeltilmesi gerekiyor.',
  },
  UNAUTHORIZED: {
    en: 'The email or password is not right, or your session has ended.',
    tr: 'E-posta veya parola hatalı ya da oturumunuz sona erdi.',
  },
  INSUFFICIENT_CREDITS: {
    en: 'You do not have enough credits for this.',
    tr: 'Bunun için yeterli krediniz yok.',
  },
  FORBIDDEN: {
    en: 'You are not allowed to do this.',
    tr: 'Bunu yapma izniniz yok.',
  },
  ACCOUNT_BANNED: {
    en: 'This account has been suspended. Contact support if you think this is a mistake.',
    tr: 'Bu hesap askıya alındı. Bir yanlışlık olduğunu düşünüyorsanız destekle iletişime geçin.',
  },
  INSUFFICIENT_SCOPE: {
    en: 'This API key is not allowed to do this; create a key with the scope it needs.',
    tr: 'Bu API anahtarının buna izni yok; gereken yetkiye sahip bir anahtar oluşturun.',
  },
  RESOURCE_NOT_FOUND: {
    en: 'We could not find that. It may have been removed, or it is not yours.',
    tr: 'Bunu bulamadık. Silinmiş olabilir ya da size ait değil.',
  },
  CONFLICT: {
    en: 'This clashes with something that already exists or has already finished.',
    tr: 'Bu, zaten var olan ya da tamamlanmış bir şeyle çakışıyor.',
  },
  INVALID_TOKEN: {
    en: 'This link is invalid, has expired or has already been used. Ask for a new one.',
    tr: 'Bu bağlantı geçersiz, süresi dolmuş ya da zaten kullanılmış. Yeni bir bağlantı isteyin.',
  },
  GONE: {
    en: 'This feature has moved. Please reload the page.',
    tr: 'Bu özellik taşındı. Lütfen sayfayı yenileyin.',
  },
  PAYLOAD_TOO_LARGE: {
    en: 'This is too large (the image, its pixels, or your storage space).',
    tr: 'Bu çok büyük (görsel, piksel sayısı ya da depolama alanınız).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    en: 'Only JPEG, PNG or WebP images can be used.',
    tr: 'Yalnızca JPEG, PNG veya WebP görseller kullanılabilir.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    en: 'This request was already sent with different settings. Please start again.',
    tr: 'Bu istek farklı ayarlarla zaten gönderildi. Lütfen yeniden başlayın.',
  },
  RATE_LIMIT_EXCEEDED: {
    en: 'Too many requests in a short time.',
    tr: 'Kısa sürede çok fazla istek gönderildi.',
  },
  INTERNAL_ERROR: {
    en: 'Something went wrong on our side. Please try again.',
    tr: 'Bizim tarafımızda bir sorun oluştu. Lütfen yeniden deneyin.',
  },
  SERVICE_UNAVAILABLE: {
    en: 'The service is busy or briefly unavailable.',
    tr: 'Hizmet şu anda yoğun ya da kısa süreliğine kullanılamıyor.',
  },
};

/**
 * Why a job ended without its result (openapi.yaml's JobErrorDto.code enum), in plain words, in
 * both languages; errors/messages.test.ts checks it against the spec too.
 */
export const JOB_ERROR_MESSAGES: Record<JobErrorCode, { en: string; tr: string }> = {
  PROVIDER_ERROR: {
    en: 'The image service could not make this picture. Your credits were refunded.',
    tr: 'Görsel hizmeti bu resmi oluşturamadı. Kredileriniz iade edildi.',
  },
  PROVIDER_TIMEOUT: {
    en: 'The image service took too long to answer. Your credits were refunded.',
    tr: 'Görsel hizmeti çok geç yanıt verdi. Kredileriniz iade edildi.',
  },
  INVALID_INPUT: {
    en: 'The image service could not use this photo or prompt. Try another photo or wording. Your credits were refunded.',
    tr: 'Görsel hizmeti bu fotoğrafı veya istemi kullanamadı. Başka bir fotoğraf ya da ifade deneyin. Kredileriniz iade edildi.',
  },
  CANCELED: {
    en: 'This job was canceled. Your credits were refunded.',
    tr: 'Bu iş iptal edildi. Kredileriniz iade edildi.',
  },
  INTERNAL_ERROR: {
    en: 'Something went wrong on our side while making this picture. Your credits were refunded.',
    tr: 'Bu resim oluşturulurken bizim tarafımızda bir sorun oluştu. Kredileriniz iade edildi.',
  },
  DEADLINE_EXCEEDED: {
    en: 'This job took too long and was stopped. Your credits were refunded.',
    tr: 'Bu iş çok uzun sürdüğü için durduruldu. Kredileriniz iade edildi.',
  },
};

/** A job's error in the given language; an unknown code falls back to a general message. */
export function describeJobError(code: string, language: string): string {
  const lang = language.startsWith('tr') ? 'tr' : 'en';
  const entry = JOB_ERROR_MESSAGES[code as JobErrorCode] ?? JOB_ERROR_MESSAGES.PROVIDER_ERROR;
  return entry[lang];
}

/** Which conflict a CONFLICT is (openapi.yaml's `details.reason` enum). */
export type ConflictReason = NonNullable<ApiError['conflictReason']>;

/**
 * A CONFLICT in plain words, by the reason the API gives in `details.reason`, in both
 * languages; errors/messages.test.ts checks it against the spec. No reason: ERROR_MESSAGES.
 */
export const CONFLICT_MESSAGES: Record<ConflictReason, Words> = {
  EMAIL_TAKEN: {
    en: 'An account with this email already exists. Sign in, or reset your password if you forgot it.',
    tr: 'Bu e-posta adresiyle bir hesap zaten var. Giriş yapın ya da parolanızı unuttuysanız sıfırlayın.',
  },
  API_KEY_LIMIT: {
    en: 'You have the most active API keys allowed. Revoke one you no longer use first.',
    tr: 'İzin verilen en fazla sayıda etkin API anahtarınız var. Önce artık kullanmadığınız birini iptal edin.',
  },
  WEBHOOK_ENDPOINT_LIMIT: {
    en: 'You have the most webhook endpoints allowed. Remove one you no longer use first.',
    tr: 'İzin verilen en fazla sayıda webhook uç noktanız var. Önce artık kullanmadığınız birini kaldırın.',
  },
  WEBHOOK_ENDPOINT_DISABLED: {
    en: 'This endpoint is turned off and is sent nothing. Turn it on first.',
    tr: 'Bu uç nokta kapalı ve ona hiçbir şey gönderilmiyor. Önce açın.',
  },
  FILE_IN_USE: {
    en: 'This image is still used by a job in progress. Cancel that job or wait for it to finish, then delete it.',
    tr: 'Bu görsel hâlâ devam eden bir iş tarafından kullanılıyor. O işi iptal edin ya da bitmesini bekleyin, sonra silin.',
  },
  BELOW_RESERVED: {
    en: 'This adjustment would take the balance below the credits reserved for jobs in progress. Take away less, or wait for those jobs to finish.',
    tr: 'Bu düzeltme bakiyeyi, devam eden işler için ayrılmış kredilerin altına düşürür. Daha az düşün ya da bu işlerin bitmesini bekleyin.',
  },
  HOLD_SETTLED: {
    en: 'These credits were already settled.',
    tr: 'Bu krediler zaten kesinleşti.',
  },
  REFERENCE_REUSED: {
    en: 'This reference was already used for something else. Use a new reference.',
    tr: 'Bu referans başka bir işlem için zaten kullanıldı. Yeni bir referans kullanın.',
  },
  JOB_NOT_CANCELABLE: {
    en: 'This job has already finished, so it can no longer be canceled.',
    tr: 'Bu iş zaten sona erdi, artık iptal edilemez.',
  },
  JOB_NOT_RETRYABLE: {
    en: 'Only a failed job can be retried.',
    tr: 'Yalnızca başarısız olmuş bir iş yeniden denenebilir.',
  },
  JOB_ALREADY_RETRIED: {
    en: 'This job was already retried.',
    tr: 'Bu iş zaten yeniden denendi.',
  },
  JOB_OWNER_BANNED: {
    en: "This job's owner is suspended. Lift the suspension before retrying their job.",
    tr: 'Bu işin sahibi askıya alınmış. İşini yeniden denemeden önce askıyı kaldırın.',
  },
  PRICE_CHANGED: {
    en: 'The price changed in the meantime. Please try again.',
    tr: 'Bu arada fiyat değişti. Lütfen yeniden deneyin.',
  },
  IN_FLIGHT: {
    en: 'This request is still being processed. Wait a moment, then try again.',
    tr: 'Bu istek hâlâ işleniyor. Biraz bekleyip yeniden deneyin.',
  },
  LAST_ADMIN: {
    en: 'This is the last active admin. Make someone else an admin first.',
    tr: 'Bu, etkin son yönetici. Önce başka birini yönetici yapın.',
  },
  FLAG_RESOLVED: {
    en: 'This flag was already resolved.',
    tr: 'Bu işaret zaten çözülmüş.',
  },
};

/**
 * A 413 PAYLOAD_TOO_LARGE for the storage quota (details `{ used, quota, incoming }`, not an
 * image's pixels): the upload would take the seller past STORAGE_QUOTA_BYTES. ErrorAlert adds a
 * link to the Files page, where they can free space.
 */
export const STORAGE_FULL_MESSAGE: Words = {
  en: 'Your storage space is full: this photo would take you past your limit. Delete files you no longer need on the Files page, then try again.',
  tr: 'Depolama alanınız dolu: bu fotoğraf sınırınızı aşıyor. Dosyalar sayfasında artık gerekmeyen dosyaları silin, sonra yeniden deneyin.',
};

/** Whether an error is an upload refused for the storage quota (413 with used/quota details). */
export function isStorageFull(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.code !== 'PAYLOAD_TOO_LARGE') return false;
  const { details } = error.body;
  return (
    typeof details === 'object' &&
    details !== null &&
    !Array.isArray(details) &&
    typeof (details as Record<string, unknown>).quota === 'number'
  );
}

/** The job ids a 409 FILE_IN_USE names (`details.jobIds`): the jobs that still use the file. */
export function blockingJobIds(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.conflictReason !== 'FILE_IN_USE') return [];
  const ids = (error.body.details as Record<string, unknown>).jobIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** What to say of an empty field, by its name (the last part of `params.prompt`). */
const REQUIRED_MESSAGES: Record<string, Words> = {
  email: { en: 'Enter your email address', tr: 'E-posta adresinizi girin' },
  password: { en: 'Enter your password', tr: 'Parolanızı girin' },
  currentPassword: { en: 'Enter your current password', tr: 'Mevcut parolanızı girin' },
  newPassword: { en: 'Enter a new password', tr: 'Yeni bir parola girin' },
  prompt: { en: 'Describe the scene', tr: 'Sahneyi tarif edin' },
  url: { en: 'Enter the URL', tr: "URL'yi girin" },
  name: { en: 'Enter a name', tr: 'Bir ad girin' },
  reason: { en: 'Enter a reason', tr: 'Bir neden girin' },
};

const FILL_IN: Words = { en: 'Fill in this field', tr: 'Bu alanı doldurun' };

const VALID_EMAIL: Words = {
  en: 'Enter a valid email address',
  tr: 'Geçerli bir e-posta adresi girin',
};

/** A check no message below knows: never the API's English text, which names code fields. */
export const CHECK_THIS_FIELD: Words = { en: 'Check this field', tr: 'Bu alanı kontrol edin' };

/**
 * A refused field in plain words, by the check it failed (the API's `constraint`), in both
 * languages. `{{min}}` and `{{max}}` are the bound the API gives with it.
 */
export const FIELD_MESSAGES: Record<string, Words> = {
  minLength: { en: 'Use at least {{min}} characters', tr: 'En az {{min}} karakter kullanın' },
  maxLength: { en: 'Use at most {{max}} characters', tr: 'En fazla {{max}} karakter kullanın' },
  isEmail: VALID_EMAIL,
  isUrl: {
    en: 'Enter a valid URL starting with https://',
    tr: 'https:// ile başlayan geçerli bir URL girin',
  },
  isPublicUrl: {
    en: 'This address cannot receive webhooks. Use a public URL starting with https://',
    tr: 'Bu adres webhook alamaz. https:// ile başlayan, herkese açık bir URL kullanın',
  },
  isNotCommonPassword: {
    en: 'This password is too common; choose another',
    tr: 'Bu parola çok yaygın; başka bir parola seçin',
  },
  isCurrentPassword: {
    en: 'The current password is not correct',
    tr: 'Mevcut parola doğru değil',
  },
  min: { en: 'Enter {{min}} or more', tr: '{{min}} veya daha büyük bir sayı girin' },
  max: { en: 'Enter {{max}} or less', tr: '{{max}} veya daha küçük bir sayı girin' },
  isInt: { en: 'Enter a whole number', tr: 'Bir tam sayı girin' },
  isNumber: { en: 'Enter a number', tr: 'Bir sayı girin' },
  arrayMinSize: { en: 'Choose at least {{min}}', tr: 'En az {{min}} tane seçin' },
  arrayMaxSize: { en: 'Choose at most {{max}}', tr: 'En fazla {{max}} tane seçin' },
  arrayUnique: { en: 'Choose each one only once', tr: 'Her birini yalnızca bir kez seçin' },
  isIn: { en: 'Choose one of the options', tr: 'Seçeneklerden birini seçin' },
  isEnum: { en: 'Choose one of the options', tr: 'Seçeneklerden birini seçin' },
  isDate: { en: 'Enter a valid date', tr: 'Geçerli bir tarih girin' },
  maxDate: { en: 'Choose an earlier date', tr: 'Daha erken bir tarih seçin' },
  minDate: { en: 'Choose a later date', tr: 'Daha geç bir tarih seçin' },
};

/** Checks that fail a field with nothing in it. */
const EMPTY_CONSTRAINTS = new Set(['isDefined', 'isNotEmpty']);

/** Checks whose own wording depends on the field (a pattern only says "not like this"). */
const FIELD_PATTERN_MESSAGES: Record<string, Words> = {
  email: VALID_EMAIL,
  prompt: {
    en: 'Describe the scene in words, without special characters',
    tr: 'Sahneyi özel karakterler kullanmadan, kelimelerle tarif edin',
  },
};

/**
 * One refused field in plain words, in the given language: chosen by the API's `constraint`
 * (and the field's name where that says more), never the API's English `message`.
 */
export function describeFieldError(
  detail: Pick<FieldError, 'field'> & Partial<FieldError>,
  language: string,
): string {
  const lang: Language = language.startsWith('tr') ? 'tr' : 'en';
  const name = detail.field.split('.').pop() ?? detail.field;
  const { constraint = '', min, max } = detail;
  const required = () => (REQUIRED_MESSAGES[name] ?? FILL_IN)[lang];
  if (EMPTY_CONSTRAINTS.has(constraint)) return required();
  if (constraint === 'minLength' && (min === undefined || min <= 1)) return required();
  if (constraint === 'matches' || (constraint === 'isEmail' && name !== 'email')) {
    return (FIELD_PATTERN_MESSAGES[name] ?? CHECK_THIS_FIELD)[lang];
  }
  const entry = Object.hasOwn(FIELD_MESSAGES, constraint) ? FIELD_MESSAGES[constraint] : undefined;
  const text = entry?.[lang];
  if (!text) return CHECK_THIS_FIELD[lang];
  // A bound the API did not give (an older API): the message without it would be wrong.
  if (
    (text.includes('{{min}}') && min === undefined) ||
    (text.includes('{{max}}') && max === undefined)
  )
    return CHECK_THIS_FIELD[lang];
  return text.replace('{{min}}', String(min)).replace('{{max}}', String(max));
}

/**
 * A 429 for the jobs in progress (details `{ policy: 'active-jobs', limit }`): the seller has
 * MAX_ACTIVE_JOBS_PER_USER jobs queued or running; nothing was charged.
 */
export const ACTIVE_JOBS_MESSAGE: Words = {
  en: 'You have the most jobs in progress allowed. Nothing was charged: submit again once some have finished.',
  tr: 'Aynı anda izin verilen en fazla sayıda devam eden işiniz var. Hiçbir şey ücretlendirilmedi: bazıları bitince yeniden gönderin.',
};

/** Whether an error is a submit refused for the jobs in progress (429, policy `active-jobs`). */
function isActiveJobLimit(error: ApiError): boolean {
  const { details } = error.body;
  return (
    error.code === 'RATE_LIMIT_EXCEEDED' &&
    typeof details === 'object' &&
    details !== null &&
    !Array.isArray(details) &&
    (details as Record<string, unknown>).policy === 'active-jobs'
  );
}

/** The message of an ApiError: by its conflict's reason when it is a CONFLICT that says one. */
function messageOf(error: ApiError, lang: Language): string {
  if (isStorageFull(error)) return STORAGE_FULL_MESSAGE[lang];
  if (isActiveJobLimit(error)) return ACTIVE_JOBS_MESSAGE[lang];
  const reason = error.conflictReason;
  if (reason && Object.hasOwn(CONFLICT_MESSAGES, reason)) return CONFLICT_MESSAGES[reason][lang];
  return (ERROR_MESSAGES[error.code] ?? ERROR_MESSAGES.INTERNAL_ERROR)[lang];
}

export interface ErrorText {
  message: string;
  /** Seconds until a retry may succeed (429, 503 with Retry-After). */
  retryAfterSeconds: number | null;
  /** Each refused field's message in plain words (describeFieldError), keyed by field name. */
  fields: Record<string, string>;
  requestId: string | null;
  /** An upload refused for the storage quota: the Files page frees space (isStorageFull). */
  storageFull: boolean;
}

/** What to show for any error thrown by the client layer, in the given language. */
export function describeError(error: unknown, language: string): ErrorText {
  const lang: Language = language.startsWith('tr') ? 'tr' : 'en';
  if (error instanceof ApiError) {
    const fields: Record<string, string> = {};
    for (const [field, detail] of Object.entries(error.fieldErrorDetails)) {
      fields[field] = describeFieldError(detail, lang);
      // An item of a list (`inputImageIds.0`) shows under the list's own field too.
      const list = /^(.+?)\.\d+(?:\.|$)/.exec(field)?.[1];
      if (list) fields[list] ??= fields[field];
    }
    return {
      message: messageOf(error, lang),
      retryAfterSeconds: error.retryAfterSeconds,
      fields,
      requestId: error.body.requestId || null,
      storageFull: isStorageFull(error),
    };
  }
  if (error instanceof NetworkError || (error instanceof TypeError && !navigator.onLine)) {
    return {
      message:
        lang === 'tr'
          ? 'Sunucuya ulaşılamadı. Bağlantınızı kontrol edin.'
          : 'The server could not be reached. Check your connection.',
      retryAfterSeconds: null,
      fields: {},
      requestId: null,
      storageFull: false,
    };
  }
  return {
    message: ERROR_MESSAGES.INTERNAL_ERROR[lang],
    retryAfterSeconds: null,
    fields: {},
    requestId: null,
    storageFull: false,
  };
}
