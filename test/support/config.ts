import { loadConfig as loadSections, type ConfigOf } from '@jewelshot/platform';
import { API_CONFIG_CHECKS, API_CONFIG_SECTIONS } from '../../apps/api/src/api.config';
import { WORKER_CONFIG_CHECKS, WORKER_CONFIG_SECTIONS } from '../../apps/worker/src/worker.config';

/** Every section of every app: one deployment's environment (what `.env.example` documents). */
export const ALL_CONFIG_SECTIONS = [...API_CONFIG_SECTIONS, ...WORKER_CONFIG_SECTIONS] as const;

export type AppConfig = ConfigOf<typeof ALL_CONFIG_SECTIONS>;

/** The config of a whole deployment, so one test can start the API and a worker from it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadSections(ALL_CONFIG_SECTIONS, env, [
    ...new Set([...API_CONFIG_CHECKS, ...WORKER_CONFIG_CHECKS]),
  ]);
}
