import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { PlatformMetrics } from './platform.metrics';
import { METRICS_SOURCES } from './metrics-source';
import { TracingFlush } from '../tracing/tracing-flush';

/**
 * Observability for the API and the worker: `/metrics`' renderer, platform's own gauges, and
 * the flush of buffered trace spans on shutdown (tracing itself starts in main.ts).
 */
@Global()
@Module({
  providers: [
    MetricsService,
    PlatformMetrics,
    TracingFlush,
    { provide: METRICS_SOURCES, useExisting: PlatformMetrics },
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
