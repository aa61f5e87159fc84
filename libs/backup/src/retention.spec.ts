import { backupsToDelete } from './retention';

const at = (iso: string) => ({ takenAt: new Date(iso), name: iso });

describe('backupsToDelete', () => {
  it('keeps the newest backup of each of the newest hours, days and weeks', () => {
    const backups = [
      at('2026-11-28T12:40:00Z'),
      at('2026-11-28T12:10:00Z'), // same hour as a newer one
      at('2026-11-28T11:05:00Z'),
      at('2026-11-28T10:05:00Z'), // a third hour: beyond 2 hourly, and the 28th is kept already
      at('2026-11-27T23:00:00Z'), // newest of the 27th: daily
      at('2026-11-27T08:00:00Z'),
      at('2026-11-20T08:00:00Z'), // a week before: weekly
      at('2026-11-01T08:00:00Z'), // beyond every policy
    ];
    const deleted = backupsToDelete(backups, { hourly: 2, daily: 2, weekly: 2 }).map((b) => b.name);
    expect(deleted.sort()).toEqual(
      [
        '2026-11-28T12:10:00Z',
        '2026-11-28T10:05:00Z',
        '2026-11-27T08:00:00Z',
        '2026-11-01T08:00:00Z',
      ].sort(),
    );
  });

  it('always keeps the newest backup, even with a policy of zero', () => {
    const backups = [at('2026-11-28T12:00:00Z'), at('2026-11-28T11:00:00Z')];
    expect(backupsToDelete(backups, { hourly: 0, daily: 0, weekly: 0 }).map((b) => b.name)).toEqual(
      ['2026-11-28T11:00:00Z'],
    );
  });
});
