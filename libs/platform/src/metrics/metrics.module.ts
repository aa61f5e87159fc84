import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { PlatformMetrics } from './platform.metrics';
import { METRICS_SOURCES } from './metrics-source';

/** `/metrics` for the API and the worker: the registry's renderer and platform's own gauges. */
@Global()
@Module({
  providers: [
    MetricsService,
    PlatformMetrics,
    { provide: METRICS_SOURCES, useExisting: PlatformMetrics },
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
