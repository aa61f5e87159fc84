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

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;

/** A stored size in the unit that suits it (binary, like formatBytes): 30.2 kB, 1.3 MB, 1 GB. */
export function formatSize(bytes: number, language: string): string {
  const unit = bytes < MIB ? 'kilobyte' : bytes < GIB ? 'megabyte' : 'gigabyte';
  const value = bytes / (bytes < MIB ? KIB : bytes < GIB ? MIB : GIB);
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(value);
}
