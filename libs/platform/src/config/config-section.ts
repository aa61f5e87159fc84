import type { PlatformVariables } from './platform-variables';
export { toInt } from './to-int';

/**
 * One lib's (or app's) slice of the environment: a class-validator class whose fields are its
 * variables with their defaults, an optional check across those fields, and the injection token
 * its services read the validated values through. Each lib declares its own in
 * `libs/<lib>/src/<lib>.config.ts`; the apps compose the sections they run with `loadConfig`.
 */
export interface ConfigSection<T extends object = object> {
  readonly name: string;
  readonly variables: new () => T;
  /** Provides the loaded config, typed as this section (and platform's) by its owner. */
  readonly token: symbol;
  /**
   * Rules across this section's variables (and platform's, e.g. NODE_ENV). `given` holds the
   * variables set explicitly in the environment. Returns one `NAME: problem` line per problem.
   */
  check?(config: Readonly<T & PlatformVariables>, given: ReadonlySet<string>): string[];
  /**
   * Variables this section renamed, each with what to set instead: one still set is refused,
   * not ignored without a word.
   */
  readonly renamed?: Readonly<Record<string, string>>;
}

export function defineConfig<T extends object>(section: {
  name: string;
  variables: new () => T;
  check?: (config: Readonly<T & PlatformVariables>, given: ReadonlySet<string>) => string[];
  renamed?: Readonly<Record<string, string>>;
}): ConfigSection<T> {
  return { ...section, token: Symbol(`${section.name} config`) };
}

/**
 * A secret with a development default, in production: unset, it must be set; set to the
 * development default (public in `.env.example`), that value is refused. At most one line.
 */
export function productionSecretProblems(
  name: string,
  value: string,
  developmentDefault: string,
  given: ReadonlySet<string>,
): string[] {
  if (!given.has(name)) return [`${name}: must be set explicitly in production`];
  if (value === developmentDefault)
    return [`${name}: the development default is refused in production`];
  return [];
}
