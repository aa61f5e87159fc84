import { isIP } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { LedgerService } from '@jewelshot/credit-ledger';
import { EmailService } from '@jewelshot/email';
import { User, UsersService } from '@jewelshot/identity';
import { ABUSE_CONFIG, type AbuseConfig } from '../abuse.config';
import type { ObservationKind } from '../entities/abuse-observation.entity';
import { combine, ramp, type SignalName, type SignalReading } from '../signals';
import { flagAlert } from './flag-alert';

/** One domain event as the abuse lib keeps it (abuse_observations). */
export interface Observation {
  eventId: string;
  kind: ObservationKind;
  userId: string;
  address?: string | null;
  deviceId?: string | null;
  operation?: string | null;
  promptHash?: string | null;
  amount?: number | null;
  /** When it happened (the event's own time); now when the event does not say. */
  at?: string | null;
}

/** What scoring one user came to. */
export interface UserScore {
  userId: string;
  score: number;
  signals: SignalReading[];
  /** A flag was opened by this scoring (not an existing one updated). */
  flagOpened: boolean;
}

/** The counts behind four of the signals, as AbuseScoring.counts reads them (null: nothing to count). */
interface SignalCounts {
  rapid_fire: number;
  duplicate_prompt: { prompt_hash: string; count: number } | null;
  per_address: {
    address: string | null;
    network: string | null;
    accounts: number;
    network_accounts: number;
  } | null;
  per_device: { device_id: string; accounts: number } | null;
}

/** Most accounts rescored on one event: a shared address (a campus NAT) must not stall the worker. */
const GROUP_LIMIT = 200;

/** `::ffff:203.0.113.7` is `203.0.113.7`; anything that is not an IP address is unknown. */
function addressOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const plain = value.startsWith('::ffff:') && value.includes('.') ? value.slice(7) : value;
  return isIP(plain) ? plain : null;
}

function dateOf(value: string | null | undefined): Date {
  const date = value ? new Date(value) : new Date();
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

/**
 * The abuse signals, scored in the worker off the domain events (never on the request path).
 * Each event is one transaction: its observation is inserted keyed by the event id, and only a
 * new observation rescores anyone, so a redelivered event (at-least-once delivery, two
 * workers) changes nothing twice.
 *
 * Two workers scoring events of one group (accounts sharing a registration network or device)
 * take turns, and the later one reads the group only after the earlier has committed, so the
 * last event of a group always rescores every member with everything the group did. The
 * transaction advisory locks, always in this order (so no two scorings wait on each other in a
 * cycle): the event's user (its registration, if being scored, commits before anyone reads it
 * as a group key), then the group keys (registration network, registration device, the
 * event's device) sorted. Only then are the group's members read and scored. An event that
 * rescores the group takes its keys exclusively; one that rescores its own user only takes
 * them shared, so those run side by side but never beside a group rescoring, which would
 * otherwise overwrite the user's signals from an older reading or miss the user's event. At
 * most one flag is open per user besides (the unique partial index).
 */
@Injectable()
export class AbuseScoring {
  private readonly logger = new Logger(AbuseScoring.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ABUSE_CONFIG) private readonly config: AbuseConfig,
    private readonly users: UsersService,
    private readonly ledger: LedgerService,
    private readonly email: EmailService,
  ) {}

  private get weights(): Record<SignalName, number> {
    const c = this.config;
    return {
      'rapid-fire': c.ABUSE_WEIGHT_RAPID_FIRE,
      'duplicate-prompt': c.ABUSE_WEIGHT_DUPLICATE_PROMPT,
      farming: c.ABUSE_WEIGHT_FARMING,
      'accounts-per-address': c.ABUSE_WEIGHT_ACCOUNTS_PER_ADDRESS,
      'accounts-per-device': c.ABUSE_WEIGHT_ACCOUNTS_PER_DEVICE,
    };
  }

  private query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    return this.txHost.tx.query(sql, parameters) as Promise<T[]>;
  }

  /**
   * Records the event and rescores the users it concerns. Returns their scores, or null when
   * the event was seen before (or scoring is off).
   */
  async observe(observation: Observation): Promise<UserScore[] | null> {
    if (this.config.ABUSE_SCORING === 'off') return null;
    return this.txHost.withTransaction(async () => {
      const address = addressOf(observation.address);
      const inserted = await this.query<{ event_id: string }>(
        `INSERT INTO abuse_observations
           (event_id, kind, user_id, address, network, device_id, operation, prompt_hash, amount, occurred_at)
         VALUES ($1, $2, $3, $4::inet,
                 CASE WHEN $4::inet IS NULL THEN NULL
                      ELSE network(set_masklen($4::inet, CASE WHEN family($4::inet) = 4 THEN 24 ELSE 64 END)) END,
                 $5, $6, $7, $8, $9)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id`,
        [
          observation.eventId,
          observation.kind,
          observation.userId,
          address,
          observation.deviceId ?? null,
          observation.operation ?? null,
          observation.promptHash ?? null,
          observation.amount ?? null,
          dateOf(observation.at),
        ],
      );
      if (inserted.length === 0) return null;
      await this.lock([`abuse:user:${observation.userId}`]);
      const { groupWide, keys } = await this.group(observation);
      await this.lock(keys, groupWide ? 'exclusive' : 'shared');
      const concerned = groupWide
        ? await this.concerned(observation.userId, observation.deviceId ?? null)
        : [observation.userId];
      const scores: UserScore[] = [];
      for (const userId of concerned) scores.push(await this.score(userId));
      return scores;
    });
  }

  /**
   * Whether the event can move another account's signals (`groupWide`), and the user's group
   * keys, sorted (registration network and device, and the event's device): one read, after
   * the user's lock. An event moves others' signals when it is a registration or a login (the
   * accounts per address, network and device), or a user's first submit (it becomes one of the
   * accounts the farming signal counts). Anything else (a later submit, a grant, a
   * verification) rescores its own user only, so a busy account in a large group does not
   * rescore the whole group on every job.
   */
  private async group(observation: Observation): Promise<{ groupWide: boolean; keys: string[] }> {
    const [row] = await this.query<{
      network: string | null;
      device_id: string | null;
      first_submit: boolean;
    }>(
      `SELECT r.network::text AS network, r.device_id,
              (SELECT count(*) = 1 FROM (
                 SELECT 1 FROM abuse_observations
                  WHERE user_id = $1 AND kind IN ('job', 'batch') LIMIT 2) submits) AS first_submit
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT network, device_id FROM abuse_observations
                             WHERE user_id = $1 AND kind = 'registered' LIMIT 1) r ON true`,
      [observation.userId],
    );
    const kind = observation.kind;
    const groupWide =
      kind === 'registered' || kind === 'logged-in'
        ? true
        : kind === 'job' || kind === 'batch'
          ? (row?.first_submit ?? true)
          : false;
    const keys = new Set<string>();
    if (row?.network) keys.add(`abuse:network:${row.network}`);
    if (row?.device_id) keys.add(`abuse:device:${row.device_id}`);
    if (observation.deviceId) keys.add(`abuse:device:${observation.deviceId}`);
    return { groupWide, keys: [...keys].sort() };
  }

  /**
   * Transaction advisory locks on `keys`, taken in the order given, in one statement (the
   * function is volatile, so it runs row by row in unnest's order).
   */
  private async lock(keys: string[], mode: 'exclusive' | 'shared' = 'exclusive'): Promise<void> {
    if (keys.length === 0) return;
    const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    await this.query(`SELECT ${fn}(hashtextextended(k.key, 0)) FROM unnest($1::text[]) AS k(key)`, [
      keys,
    ]);
  }

  /**
   * The user, the accounts registered from their network (so their address too) or device
   * within the farming window, and the accounts seen on the event's device, in id order.
   */
  private async concerned(userId: string, eventDevice: string | null): Promise<string[]> {
    const rows = await this.query<{ user_id: string }>(
      `WITH mine AS (
         SELECT r.network, r.device_id FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (SELECT network, device_id FROM abuse_observations
                               WHERE user_id = $1 AND kind = 'registered' LIMIT 1) r ON true)
       SELECT DISTINCT o.user_id FROM abuse_observations o, mine
        WHERE o.occurred_at > now() - make_interval(days => $2)
          AND ((o.kind = 'registered'
                AND ((mine.network IS NOT NULL AND o.network = mine.network)
                  OR (mine.device_id IS NOT NULL AND o.device_id = mine.device_id)))
            OR ($4::varchar IS NOT NULL AND o.device_id = $4::varchar
                AND o.kind IN ('registered', 'logged-in')))
        ORDER BY o.user_id
        LIMIT $3`,
      [userId, this.config.ABUSE_FARMING_WINDOW_DAYS, GROUP_LIMIT, eventDevice],
    );
    return [...new Set([userId, ...rows.map((r) => r.user_id)])].sort();
  }

  /** Reads the five signals of one user, stores them, and raises a flag over the threshold. */
  private async score(userId: string): Promise<UserScore> {
    const counts = await this.counts(userId);
    const signals = [
      this.rapidFire(counts.rapid_fire),
      this.duplicatePrompt(counts.duplicate_prompt),
      await this.farming(userId),
      this.accountsPerAddress(counts.per_address),
      this.accountsPerDevice(counts.per_device),
    ];
    // The five readings in one statement.
    await this.query(
      `INSERT INTO abuse_signals (user_id, signal, value, reason, evidence, updated_at)
       SELECT $1, r.signal, r.value, r.reason, r.evidence::jsonb, now()
         FROM unnest($2::varchar[], $3::smallint[], $4::varchar[], $5::text[])
              AS r(signal, value, reason, evidence)
       ON CONFLICT (user_id, signal) DO UPDATE
         SET value = EXCLUDED.value, reason = EXCLUDED.reason, evidence = EXCLUDED.evidence,
             updated_at = EXCLUDED.updated_at`,
      [
        userId,
        signals.map((reading) => reading.signal),
        signals.map((reading) => reading.value),
        signals.map((reading) => reading.reason),
        signals.map((reading) => JSON.stringify(reading.evidence)),
      ],
    );
    const score = combine(signals, this.weights);
    const flagOpened =
      score > this.config.ABUSE_FLAG_THRESHOLD ? await this.flag(userId, score, signals) : false;
    return { userId, score, signals, flagOpened };
  }

  /**
   * What four of the signals count, in one statement (one snapshot, after the scoring's locks):
   * the user's submits in the submit window, their most repeated prompt in it, the accounts of
   * their registration address and network around their registration, and the most accounts
   * on one of their devices. Farming asks the ledger too, so it reads apart. A device's last
   * sighting and the accounts in the window before it are index ranges of the device's
   * observations (`abuse_observations_device`), not an aggregate over its whole history: a
   * device seen at every sign-in for months cost each scoring all of its rows.
   */
  private async counts(userId: string): Promise<SignalCounts> {
    const [row] = await this.query<SignalCounts>(
      `SELECT
         (SELECT count(*)::int FROM abuse_observations
           WHERE user_id = $1 AND kind IN ('job', 'batch')
             AND occurred_at > now() - make_interval(secs => $2)) AS rapid_fire,
         (SELECT json_build_object('prompt_hash', d.prompt_hash, 'count', d.count) FROM (
            SELECT prompt_hash, count(*)::int AS count FROM abuse_observations
             WHERE user_id = $1 AND kind IN ('job', 'batch') AND prompt_hash IS NOT NULL
               AND occurred_at > now() - make_interval(secs => $2)
             GROUP BY prompt_hash ORDER BY count DESC, prompt_hash LIMIT 1) d) AS duplicate_prompt,
         (WITH mine AS (
            SELECT address, network, occurred_at FROM abuse_observations
             WHERE user_id = $1 AND kind = 'registered' AND address IS NOT NULL LIMIT 1)
          SELECT json_build_object(
                   'address', host(mine.address),
                   'network', mine.network::text,
                   'accounts', (SELECT count(DISTINCT o.user_id)::int FROM abuse_observations o
                     WHERE o.kind = 'registered' AND o.address = mine.address
                       AND o.occurred_at BETWEEN mine.occurred_at - make_interval(hours => $3)
                                             AND mine.occurred_at + make_interval(hours => $3)),
                   'network_accounts', (SELECT count(DISTINCT o.user_id)::int FROM abuse_observations o
                     WHERE o.kind = 'registered' AND o.network = mine.network
                       AND o.occurred_at BETWEEN mine.occurred_at - make_interval(hours => $3)
                                             AND mine.occurred_at + make_interval(hours => $3)))
            FROM mine) AS per_address,
         (WITH devices AS (
            SELECT mine.device_id, latest.last_seen
              FROM (SELECT DISTINCT device_id FROM abuse_observations
                     WHERE user_id = $1 AND device_id IS NOT NULL
                       AND kind IN ('registered', 'logged-in')) mine
             CROSS JOIN LATERAL (
               SELECT o.occurred_at AS last_seen FROM abuse_observations o
                WHERE o.device_id = mine.device_id AND o.kind IN ('registered', 'logged-in')
                ORDER BY o.occurred_at DESC LIMIT 1) latest)
          SELECT json_build_object('device_id', v.device_id, 'accounts', v.accounts) FROM (
            SELECT d.device_id,
                   (SELECT count(DISTINCT o.user_id)::int FROM abuse_observations o
                     WHERE o.device_id = d.device_id AND o.kind IN ('registered', 'logged-in')
                       AND o.occurred_at > d.last_seen - make_interval(hours => $3)) AS accounts
              FROM devices d ORDER BY accounts DESC, d.device_id LIMIT 1) v) AS per_device`,
      [userId, this.config.ABUSE_SUBMIT_WINDOW_SECONDS, this.config.ABUSE_ACCOUNTS_WINDOW_HOURS],
    );
    return row ?? { rapid_fire: 0, duplicate_prompt: null, per_address: null, per_device: null };
  }

  private rapidFire(count: number): SignalReading {
    const windowSeconds = this.config.ABUSE_SUBMIT_WINDOW_SECONDS;
    return {
      signal: 'rapid-fire',
      value: ramp(count, this.config.ABUSE_RAPID_FIRE_COUNT),
      reason: `${count} submits in ${windowSeconds} s (threshold ${this.config.ABUSE_RAPID_FIRE_COUNT})`,
      evidence: { count, windowSeconds },
    };
  }

  private duplicatePrompt(row: SignalCounts['duplicate_prompt']): SignalReading {
    const count = row?.count ?? 0;
    const windowSeconds = this.config.ABUSE_SUBMIT_WINDOW_SECONDS;
    return {
      signal: 'duplicate-prompt',
      value: ramp(count, this.config.ABUSE_DUPLICATE_PROMPT_COUNT),
      reason: `the same prompt ${count} times in ${windowSeconds} s (threshold ${this.config.ABUSE_DUPLICATE_PROMPT_COUNT})`,
      evidence: { count, promptHash: row?.prompt_hash ?? null, windowSeconds },
    };
  }

  /**
   * Accounts of the user's registration address or device (farming window) that submitted work
   * and never bought credits: they only ever spend their sign-up grant. Zero unless the user
   * is one of them.
   */
  private async farming(userId: string): Promise<SignalReading> {
    const submitters = await this.query<{
      user_id: string;
      address: string | null;
      device_id: string | null;
    }>(
      `WITH mine AS (
         SELECT address, device_id FROM abuse_observations
          WHERE user_id = $1 AND kind = 'registered' LIMIT 1),
       siblings AS (
         SELECT DISTINCT o.user_id, mine.address, mine.device_id FROM abuse_observations o, mine
          WHERE o.kind = 'registered'
            AND o.occurred_at > now() - make_interval(days => $2)
            AND ((mine.address IS NOT NULL AND o.address = mine.address)
              OR (mine.device_id IS NOT NULL AND o.device_id = mine.device_id)))
       SELECT s.user_id, host(s.address) AS address, s.device_id FROM siblings s
        WHERE EXISTS (SELECT 1 FROM abuse_observations j
                       WHERE j.user_id = s.user_id AND j.kind IN ('job', 'batch'))`,
      [userId, this.config.ABUSE_FARMING_WINDOW_DAYS],
    );
    // Who bought credits is the ledger's to say, not a read of its tables.
    const buyers = await this.ledger.purchasers(submitters.map((r) => r.user_id));
    const rows = submitters.filter((r) => !buyers.has(r.user_id));
    const threshold = this.config.ABUSE_FARMING_ACCOUNTS;
    const accounts = rows.length;
    const isOne = rows.some((r) => r.user_id === userId);
    return {
      signal: 'farming',
      value: isOne ? ramp(accounts, threshold) : 0,
      reason: isOne
        ? `${accounts} accounts of this address or device only spend their sign-up credits (threshold ${threshold})`
        : 'not spending only sign-up credits from a shared address or device',
      evidence: {
        accounts,
        address: rows[0]?.address ?? null,
        deviceId: rows[0]?.device_id ?? null,
      },
    };
  }

  /** Accounts registered from the user's address, and from its /24 or /64, around their own registration. */
  private accountsPerAddress(row: SignalCounts['per_address']): SignalReading {
    const accounts = row?.accounts ?? 0;
    const networkAccounts = row?.network_accounts ?? 0;
    const hours = this.config.ABUSE_ACCOUNTS_WINDOW_HOURS;
    return {
      signal: 'accounts-per-address',
      value: Math.max(
        ramp(accounts, this.config.ABUSE_ACCOUNTS_PER_ADDRESS),
        ramp(networkAccounts, this.config.ABUSE_ACCOUNTS_PER_NETWORK),
      ),
      reason: `${accounts} accounts from the address, ${networkAccounts} from its network, within ${hours} h`,
      evidence: {
        address: row?.address ?? null,
        accounts,
        network: row?.network ?? null,
        networkAccounts,
        windowHours: hours,
      },
    };
  }

  /** Accounts seen (signing up or in) on the user's device ids, within the window of the device's last use. */
  private accountsPerDevice(row: SignalCounts['per_device']): SignalReading {
    const accounts = row?.accounts ?? 0;
    const hours = this.config.ABUSE_ACCOUNTS_WINDOW_HOURS;
    return {
      signal: 'accounts-per-device',
      value: ramp(accounts, this.config.ABUSE_ACCOUNTS_PER_DEVICE),
      reason: `${accounts} accounts on one device within ${hours} h (threshold ${this.config.ABUSE_ACCOUNTS_PER_DEVICE})`,
      evidence: { deviceId: row?.device_id ?? null, accounts, windowHours: hours },
    };
  }

  /**
   * Opens the user's flag, or updates the open one. Only an opening acts: the tier goes to
   * `low` (the previous one kept on the flag), the active admins are mailed, and a farming
   * account's unspent sign-up credits are voided if ABUSE_HOLD_SIGNUP_CREDITS. A user whose
   * last flag was dismissed is flagged again only with a higher score than it had; a banned
   * user is not flagged.
   */
  private async flag(userId: string, score: number, readings: SignalReading[]): Promise<boolean> {
    const user = await this.txHost.tx.getRepository(User).findOneBy({ id: userId });
    if (!user || user.status === 'banned') return false;
    const signals = readings.filter((r) => r.value > 0);
    const [open] = await this.query<{ id: string }>(
      `SELECT id FROM abuse_flags WHERE user_id = $1 AND status = 'open' FOR UPDATE`,
      [userId],
    );
    if (open) {
      await this.query(
        `UPDATE abuse_flags SET score = $2, signals = $3::jsonb, updated_at = now() WHERE id = $1`,
        [open.id, score, JSON.stringify(signals)],
      );
      return false;
    }
    const [dismissed] = await this.query<{ score: number }>(
      `SELECT score FROM abuse_flags WHERE user_id = $1 AND resolution = 'dismissed'
        ORDER BY resolved_at DESC LIMIT 1`,
      [userId],
    );
    if (dismissed && score <= dismissed.score) return false;
    const id = randomUUID();
    const opened = await this.query<{ id: string }>(
      `INSERT INTO abuse_flags (id, user_id, status, score, signals, previous_tier)
       VALUES ($1, $2, 'open', $3, $4::jsonb, $5)
       ON CONFLICT (user_id) WHERE status = 'open' DO NOTHING
       RETURNING id`,
      [id, userId, score, JSON.stringify(signals), user.priorityTier],
    );
    if (opened.length === 0) return false;
    await this.users.setPriorityTier(userId, 'low');
    const farming = signals.some((s) => s.signal === 'farming');
    if (farming && this.config.ABUSE_HOLD_SIGNUP_CREDITS === 'true') {
      const held = await this.holdSignupCredits(userId);
      if (held > 0)
        await this.query(`UPDATE abuse_flags SET credits_held = $2 WHERE id = $1`, [id, held]);
    }
    await this.alertAdmins(userId, score, signals);
    this.logger.log({ userId, score, flagId: id }, 'abuse flag opened');
    return true;
  }

  /** Voids what is left of the sign-up grant (never more than is available) with a ledger adjustment. */
  private async holdSignupCredits(userId: string): Promise<number> {
    const [grant] = await this.query<{ amount: number }>(
      `SELECT amount FROM abuse_observations
        WHERE user_id = $1 AND kind = 'signup-grant' ORDER BY occurred_at LIMIT 1`,
      [userId],
    );
    if (!grant?.amount) return 0;
    const balance = await this.ledger.balance(userId, { lock: true });
    const amount = Math.min(grant.amount, balance.available);
    if (amount <= 0) return 0;
    await this.ledger.adjust(
      userId,
      -amount,
      `abuse-hold:signup:${userId}`,
      'Sign-up credits held: flagged for free-credit farming',
      null,
    );
    return amount;
  }

  private async alertAdmins(
    userId: string,
    score: number,
    signals: SignalReading[],
  ): Promise<void> {
    const admins = await this.txHost.tx
      .getRepository(User)
      .find({ where: { role: 'admin', status: 'active' }, order: { createdAt: 'ASC' } });
    for (const admin of admins)
      await this.email.enqueue({
        template: 'admin-alert',
        to: admin.email,
        userId: admin.id,
        language: admin.language,
        data: flagAlert(admin.language, userId, score, signals),
      });
  }
}
