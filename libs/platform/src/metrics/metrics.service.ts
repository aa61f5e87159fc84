import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Counter } from 'prom-client';
import { portProviders } from '../ports';
import { metricsRegistry } from './metrics-registry';
import { METRICS_SOURCES, type MetricsSource } from './metrics-source';

/** A source slower than this is left out of the scrape (its gauges keep their last values). */
const COLLECT_TIMEOUT_MS = 2000;

const sourceErrors = new Counter({
  name: 'jewelshot_metrics_source_errors_total',
  help: 'Scrapes in which a metrics source failed or timed out (its gauges kept their last values)',
  labelNames: ['source'] as const,
  registers: [metricsRegistry],
});

/** Renders the registry after asking every METRICS_SOURCES provider to refresh its gauges. */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger(MetricsService.name);

  constructor(private readonly moduleRef: ModuleRef) {}

  readonly contentType = metricsRegistry.contentType;

  async render(): Promise<string> {
    const sources = portProviders<MetricsSource>(this.moduleRef, METRICS_SOURCES);
    await Promise.all(sources.map((source) => this.collect(source)));
    return metricsRegistry.metrics();
  }

  private async collect(source: MetricsSource): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        source.collect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), COLLECT_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      sourceErrors.inc({ source: source.name });
      this.logger.warn(
        `metrics source ${source.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
