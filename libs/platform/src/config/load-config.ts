import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { ConfigSection } from './config-section';
import { platformConfig, type PlatformVariables } from './platform.config';

type ValuesOf<S> = S extends ConfigSection<infer T> ? T : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** The config an app loads from its sections: platform's variables and each section's. */
export type ConfigOf<S extends readonly ConfigSection[]> = Readonly<
  PlatformVariables & Intersection<ValuesOf<S[number]>>
>;

/** A rule spanning sections, owned by the app that composes them (or by the higher lib). */
export type CrossCheck<C> = (config: C) => string[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const loadedSections = new WeakMap<object, readonly ConfigSection[]>();

/** The sections a config was loaded with (platform's first), for ConfigModule's tokens. */
export function sectionsOf(config: object): readonly ConfigSection[] {
  const sections = loadedSections.get(config);
  if (!sections) throw new Error('This config was not made by loadConfig');
  return sections;
}

/** Each variable belongs to one section: a second owner is a programming error. */
function variablesBySection(sections: readonly ConfigSection[]): Map<ConfigSection, string[]> {
  const owner = new Map<string, string>();
  const result = new Map<ConfigSection, string[]>();
  for (const section of sections) {
    const names = Object.keys(new section.variables());
    for (const name of names) {
      const first = owner.get(name);
      if (first !== undefined && first !== section.name)
        throw new Error(`${name} is declared by both the ${first} and ${section.name} config`);
      owner.set(name, section.name);
    }
    result.set(section, names);
  }
  return result;
}

/**
 * Reads and validates the environment once, for platform's section and the given ones. Throws
 * ConfigError naming every bad variable of every section; callers at process start print it
 * and exit.
 */
export function loadConfig<const S extends readonly ConfigSection[]>(
  sections: S,
  env: NodeJS.ProcessEnv = process.env,
  crossChecks: readonly CrossCheck<ConfigOf<S>>[] = [],
): ConfigOf<S> {
  const all = [platformConfig, ...new Set(sections.filter((s) => s !== platformConfig))];
  const given = new Set<string>();
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const instances: Array<[ConfigSection, object]> = [];
  for (const [section, names] of variablesBySection(all)) {
    for (const [old, instead] of Object.entries(section.renamed ?? {}))
      if (env[old] !== undefined) problems.push(`${old}: renamed ${instead}; set that instead`);
    const raw: Record<string, string> = {};
    for (const key of names) {
      const value = env[key];
      if (value !== undefined && value !== '') {
        raw[key] = value;
        given.add(key);
      }
    }
    const instance = plainToInstance(section.variables, raw, { exposeDefaultValues: true });
    for (const error of validateSync(instance, { forbidUnknownValues: true })) {
      const messages = Object.values(error.constraints ?? {});
      problems.push(`${error.property}: ${messages.join(', ') || 'invalid'}`);
    }
    Object.assign(values, instance);
    instances.push([section, instance]);
  }
  for (const [section] of instances)
    problems.push(...(section.check?.(values as never, given) ?? []));
  const config = values as ConfigOf<S>;
  for (const check of crossChecks) problems.push(...check(config));
  if (problems.length > 0) throw new ConfigError(problems);
  Object.freeze(config);
  loadedSections.set(config, all);
  return config;
}

/** Loads the config or ends the process with a message naming each bad variable. */
export function loadConfigOrExit<const S extends readonly ConfigSection[]>(
  sections: S,
  env: NodeJS.ProcessEnv = process.env,
  crossChecks: readonly CrossCheck<ConfigOf<S>>[] = [],
): ConfigOf<S> {
  try {
    return loadConfig(sections, env, crossChecks);
  } catch (error) {
    if (error instanceof ConfigError) {
      // 2: the command could not run (1 is what a check such as ledger:verify found).
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
