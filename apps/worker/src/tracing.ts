// Imported first by main.ts, before anything loads http, pg or ioredis: tracing patches them
// (nothing happens without OTEL_EXPORTER_OTLP_ENDPOINT). By path, because the platform index
// loads those modules itself.
// eslint-disable-next-line no-restricted-imports -- must run before the platform index loads pg, ioredis and http
import { startTracing } from '../../../libs/platform/src/tracing/start-tracing';

startTracing('worker');
