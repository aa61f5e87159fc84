import type { ModuleRef } from '@nestjs/core';

/**
 * Every provider of a port (a DI token for a synchronous question, docs/events.md), from any
 * module of the application; none when no module provides it. For a port that more than one
 * lib may provide (a multi-provider) or that is optional in some processes.
 */
export function portProviders<T>(moduleRef: ModuleRef, token: symbol): T[] {
  try {
    return moduleRef.get<T>(token, { strict: false, each: true });
  } catch {
    // ModuleRef throws when no module provides the token: the port is simply not there.
    return [];
  }
}
