import { ApiError, NetworkError, type ErrorCode, type JobErrorCode } from '@jewelshot/api-client';

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

export interface ErrorText {
  message: string;
  /** Seconds until a retry may succeed (429, 503 with Retry-After). */
  retryAfterSeconds: number | null;
  fields: Record<string, string>;
  requestId: string | null;
}

/** What to show for any error thrown by the client layer, in the given language. */
export function describeError(error: unknown, language: string): ErrorText {
  const lang = language.startsWith('tr') ? 'tr' : 'en';
  if (error instanceof ApiError) {
    const entry = ERROR_MESSAGES[error.code] ?? ERROR_MESSAGES.INTERNAL_ERROR;
    return {
      message: entry[lang],
      retryAfterSeconds: error.retryAfterSeconds,
      fields: error.fieldErrors,
      requestId: error.body.requestId || null,
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
    };
  }
  return {
    message: ERROR_MESSAGES.INTERNAL_ERROR[lang],
    retryAfterSeconds: null,
    fields: {},
    requestId: null,
  };
}
