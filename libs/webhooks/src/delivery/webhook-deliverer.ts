import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Webhook } from 'standardwebhooks';
import { AiJob, JobViews } from '@jewelshot/ai-jobs';
import { EmailService } from '@jewelshot/email';
import { UsersService } from '@jewelshot/identity';
import { secondsSince } from '@jewelshot/platform';
import { WebhookEndpoint } from '../entities/webhook-endpoint.entity';
import { WebhookEvent } from '../entities/webhook-event.entity';
import { SecretBox } from '../secret-box';
import { WEBHOOK_TEST_TYPE } from '../webhook-event-types';
import { allowsPrivate, WEBHOOKS_CONFIG, type WebhooksConfig } from '../webhooks.config';
import { HOST_LOOKUP, resolveTarget, TargetRefusedError, type HostLookup } from './address-policy';
import { postTo, type PostOutcome } from './http-post';
import { attemptOutcome, recordAttempt, type AttemptOutcome } from './webhook-delivery.metrics';

/** `busy`: not sent, not recorded: the gate kept it back (the caller tries it again later). */
export type DeliveryResult = 'succeeded' | 'failed' | 'skipped' | 'busy';

/**
 * Asked with the endpoint before anything is sent: null keeps the delivery back (`busy`); a
 * function lets it go and is called once the attempt is over.
 */
export type DeliveryGate = (endpoint: WebhookEndpoint) => Promise<(() => Promise<void>) | null>;

const OPEN_GATE: DeliveryGate = () => Promise.resolve(() => Promise.resolve());

/** Far above the attempts of one event to one endpoint any set of workers records at once. */
const MAX_NUMBERING_TRIES = 10_000;

/** What a receiver is sent: the Standard Webhooks body. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * Delivers one webhook event to one endpoint, once (the queue retries): builds the body (a job
 * event carries the job as the API shows it, with fresh signed links), checks the URL against
 * the address policy again and pins the connection to the checked address, signs it
 * (`webhook-id` is the event's id on every attempt; during a rotation both secrets sign),
 * POSTs it, and records the attempt (a row, and the /metrics families by outcome). A run of failures older than WEBHOOK_DISABLE_AFTER_HOURS
 * disables the endpoint and mails its owner.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly box: SecretBox;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly views: JobViews,
    private readonly email: EmailService,
    private readonly users: UsersService,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(HOST_LOOKUP) private readonly lookup: HostLookup,
  ) {
    this.box = new SecretBox(config.WEBHOOK_SECRET_KEY);
  }

  async deliver(
    eventId: string,
    endpointId: string,
    gate: DeliveryGate = OPEN_GATE,
  ): Promise<DeliveryResult> {
    const manager = this.txHost.tx;
    const [event, endpoint] = await Promise.all([
      manager.getRepository(WebhookEvent).findOneBy({ id: eventId }),
      manager.getRepository(WebhookEndpoint).findOneBy({ id: endpointId }),
    ]);
    // Deleted, disabled or unsubscribed from the event's type since: nothing to send, and
    // nothing to retry. (A retry of a type it dropped would send it events it no longer takes,
    // to a URL that may have changed since: a key without their read scope re-pointing it.)
    if (!event || !endpoint || !endpoint.enabled) return 'skipped';
    if (event.type !== WEBHOOK_TEST_TYPE && !endpoint.events.includes(event.type)) return 'skipped';
    const leave = await gate(endpoint);
    if (!leave) return 'busy';
    try {
      return await this.attempt(event, endpoint);
    } finally {
      await leave();
    }
  }

  private async attempt(event: WebhookEvent, endpoint: WebhookEndpoint): Promise<DeliveryResult> {
    const now = new Date();
    const body = JSON.stringify(await this.payload(event));
    const started = performance.now();
    let outcome: PostOutcome;
    let attempt: AttemptOutcome;
    try {
      const target = await resolveTarget(endpoint.url, {
        allowPrivate: allowsPrivate(this.config),
        lookup: this.lookup,
      });
      outcome = await postTo(
        target,
        this.headers(endpoint, event.id, now, body),
        body,
        this.config.WEBHOOK_TIMEOUT_MS,
      );
      attempt = attemptOutcome(outcome);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      outcome = { status: null, body: null, error: `refused: ${error.message}`, durationMs: 0 };
      attempt = 'refused';
    }
    // Counted before the attempt is written: once its row is visible, so is the count.
    recordAttempt(attempt, secondsSince(started));
    const succeeded = attempt === 'succeeded';
    await this.record(event, endpoint, outcome, succeeded);
    return succeeded ? 'succeeded' : 'failed';
  }

  /** The signature headers; exposed for the test route's preview and for tests. */
  headers(endpoint: WebhookEndpoint, id: string, at: Date, body: string): Record<string, string> {
    const secrets = [this.box.open(endpoint.secret)];
    if (
      endpoint.previousSecret &&
      endpoint.previousSecretExpiresAt &&
      endpoint.previousSecretExpiresAt > at
    )
      secrets.push(this.box.open(endpoint.previousSecret));
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': secrets
        .map((secret) => new Webhook(secret).sign(id, at, body))
        .join(' '),
    };
  }

  private async payload(event: WebhookEvent): Promise<WebhookPayload> {
    let data = event.data;
    if (event.type.startsWith('job.') && typeof event.data.id === 'string') {
      const job = await this.txHost.tx.getRepository(AiJob).findOneBy({ id: event.data.id });
      if (job) data = { ...(await this.views.job(job)) };
    }
    return { type: event.type, timestamp: event.createdAt.toISOString(), data };
  }

  private async record(
    event: WebhookEvent,
    endpoint: WebhookEndpoint,
    outcome: PostOutcome,
    succeeded: boolean,
  ): Promise<void> {
    const disabled = await this.txHost.withTransaction(async () => {
      const tx = this.txHost.tx;
      // The attempt number is counted in the insert itself: no lock on the endpoint, so the
      // deliveries of one busy endpoint do not queue behind each other. Two attempts of one
      // event to one endpoint recorded at once (manual retries racing) count the same number:
      // the unique index makes the second wait for the first and insert nothing, and it counts
      // again (a new statement sees the first's row). Each try lost is another attempt recorded,
      // so as many tries as attempts being recorded at once always do; the bound only stops a
      // loop that could never end.
      for (let tries = 1; ; tries += 1) {
        const inserted = (await tx.query(
          `INSERT INTO webhook_deliveries
             (id, event_id, endpoint_id, user_id, attempt, status, response_status, response_body, error, duration_ms)
           SELECT $1::uuid, $2::varchar, $3::uuid, $4::uuid, count(*)::int + 1, $5, $6::int, $7, $8, $9::int
             FROM webhook_deliveries WHERE event_id = $2::varchar AND endpoint_id = $3::uuid
           ON CONFLICT (event_id, endpoint_id, attempt) DO NOTHING
           RETURNING id`,
          [
            randomUUID(),
            event.id,
            endpoint.id,
            endpoint.userId,
            succeeded ? 'succeeded' : 'failed',
            outcome.status,
            outcome.body,
            outcome.error,
            outcome.durationMs,
          ],
        )) as unknown[];
        if (inserted.length > 0) break;
        if (tries >= MAX_NUMBERING_TRIES) throw new Error('could not number the delivery attempt');
      }
      if (succeeded) {
        // Writes (and locks) only when a failing run ends.
        await tx.query(
          `UPDATE webhook_endpoints SET failing_since = NULL
            WHERE id = $1 AND failing_since IS NOT NULL`,
          [endpoint.id],
        );
        return null;
      }
      const [rows] = (await tx.query(
        `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, now())
          WHERE id = $1 AND enabled RETURNING failing_since`,
        [endpoint.id],
      )) as [Array<{ failing_since: Date }>, number];
      const since = rows[0]?.failing_since;
      if (!since) return null;
      const limit = this.config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000;
      if (Date.now() - since.getTime() < limit) return null;
      await tx.query(
        `UPDATE webhook_endpoints SET enabled = false, disabled_at = now(), updated_at = now()
          WHERE id = $1`,
        [endpoint.id],
      );
      const user = await this.users.findById(endpoint.userId);
      if (user)
        await this.email.enqueue({
          template: 'webhook-disabled',
          to: user.email,
          userId: user.id,
          language: user.language,
          data: {
            endpointId: endpoint.id,
            url: endpoint.url,
            failingSinceIso: since.toISOString(),
          },
        });
      return since;
    });
    if (disabled)
      this.logger.warn(
        { endpointId: endpoint.id, failingSince: disabled.toISOString() },
        'webhook endpoint disabled after failing too long',
      );
  }
}
