/** How many backups of each period to keep. */
export interface RetentionPolicy {
  hourly: number;
  daily: number;
  weekly: number;
}

function hourOf(date: Date): string {
  return date.toISOString().slice(0, 13);
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The Monday (UTC) that starts the ISO week of `date`. */
function weekOf(date: Date): string {
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return dayOf(monday);
}

/**
 * Grandfather-father-son retention: the newest backup of each of the newest `hourly` hours,
 * `daily` days and `weekly` weeks that have one is kept; the rest may go. The newest backup
 * is always kept, whatever the policy. Returns the ones to delete.
 */
export function backupsToDelete<T extends { takenAt: Date }>(
  backups: readonly T[],
  policy: RetentionPolicy,
): T[] {
  const newestFirst = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  const keep = new Set<T>(newestFirst.slice(0, 1));
  const periods: Array<[number, (date: Date) => string]> = [
    [policy.hourly, hourOf],
    [policy.daily, dayOf],
    [policy.weekly, weekOf],
  ];
  for (const [count, periodOf] of periods) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= count) break;
      const period = periodOf(backup.takenAt);
      if (seen.has(period)) continue;
      seen.add(period);
      keep.add(backup);
    }
  }
  return newestFirst.filter((backup) => !keep.has(backup));
}
