import type { TFunction } from 'i18next';

/** Dates, numbers and credit amounts in the reader's language (tr: 1.234, 28.11.2026 10:00). */
export function formatDate(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language).format(value);
}

export function formatCredits(t: TFunction, value: number, language: string): string {
  return t('credits.amount', { count: Math.abs(value), formatted: formatNumber(value, language) });
}

export function formatBytes(bytes: number, language: string): string {
  const mb = bytes / (1024 * 1024);
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(mb)} MB`;
}
