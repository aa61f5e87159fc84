import type { SignalName, SignalReading } from '../signals';

const SIGNAL_NAMES: Record<'en' | 'tr', Record<SignalName, string>> = {
  en: {
    'rapid-fire': 'rapid fire',
    'duplicate-prompt': 'duplicate prompts',
    farming: 'free-credit farming',
    'accounts-per-address': 'many accounts per address',
    'accounts-per-device': 'many accounts per device',
  },
  tr: {
    'rapid-fire': 'art arda istek',
    'duplicate-prompt': 'aynı istem',
    farming: 'ücretsiz kredi toplama',
    'accounts-per-address': 'adres başına çok hesap',
    'accounts-per-device': 'cihaz başına çok hesap',
  },
};

/** The admin-alert mail of a new flag, in the admin's language (en or tr). */
export function flagAlert(
  language: string,
  userId: string,
  score: number,
  signals: readonly SignalReading[],
): { title: string; detail: string; link: string } {
  const lang = language === 'tr' ? 'tr' : 'en';
  const list = signals
    .filter((s) => s.value > 0)
    .map((s) => `${SIGNAL_NAMES[lang][s.signal]} ${s.value}`)
    .join(', ');
  return lang === 'tr'
    ? {
        title: `Kötüye kullanım işareti: puan ${score}`,
        detail: `${userId} kimlikli kullanıcının puanı ${score} (${list}). Hesap düşük önceliğe alındı; yasaklanmadı. Lütfen inceleyin.`,
        link: '/admin/abuse',
      }
    : {
        title: `Abuse flag: score ${score}`,
        detail: `User ${userId} scored ${score} (${list}). The account was moved to the low priority tier; nothing was banned. Please review.`,
        link: '/admin/abuse',
      };
}
