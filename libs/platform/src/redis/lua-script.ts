import type { Redis } from 'ioredis';

type ScriptCall = (...args: string[]) => Promise<unknown>;

/**
 * A Lua script as a command of `redis` (ioredis `defineCommand`): sent as `EVALSHA` with its
 * SHA-1, and as `EVAL` with its text only the first time on a connection or after Redis lost
 * its script cache (`NOSCRIPT`), so a call per request does not send the script's text each
 * time nor make Redis hash it again. Keys get the client's `keyPrefix`, and calls join the
 * client's auto-pipelining like any command. Defined once per client under `name`.
 * `numberOfKeys` is `'per call'` for a script whose callers pass how many keys come first.
 */
export function luaScript<T>(
  redis: Redis,
  name: string,
  numberOfKeys: number | 'per call',
  lua: string,
): (...args: string[]) => Promise<T> {
  const commands = redis as unknown as Record<string, ScriptCall | undefined>;
  if (typeof commands[name] !== 'function')
    redis.defineCommand(name, numberOfKeys === 'per call' ? { lua } : { numberOfKeys, lua });
  const call = commands[name] as ScriptCall;
  return (...args) => call.apply(redis, args) as Promise<T>;
}
