import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../webhooks.config';

/**
 * Keeps the webhook history bounded: delivery attempts and recorded events older than
 * WEBHOOK_KEEP_DAYS are deleted (the worker runs it daily). The minimum of two days outlives
 * the whole retry schedule, so no event is deleted while its deliveries may still run.
 */
@Injectable()
export class WebhookHistory {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  async prune(): Promise<{ deliveries: number; events: number }> {
    const days = this.config.WEBHOOK_KEEP_DAYS;
    const [, deliveries] = (await this.txHost.tx.query(
      `DELETE FROM webhook_deliveries WHERE created_at < now() - make_interval(days => $1)`,
      [days],
    )) as [unknown, number];
    const [, events] = (await this.txHost.tx.query(
      `DELETE FROM webhook_events WHERE created_at < now() - make_interval(days => $1)`,
      [days],
    )) as [unknown, number];
    return { deliveries, events };
  }
}
