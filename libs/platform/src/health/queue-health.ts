/**
 * Port: what waits in a job queue, for /health (the old system's "Active - Queue: 5"). The AI
 * jobs provide it (`{ provide: QUEUE_HEALTH, useExisting: QueueFigures }`); without a provider
 * /health simply has no queue figures.
 */
export const QUEUE_HEALTH = Symbol('QUEUE_HEALTH');

export interface QueueHealthFigures {
  name: string;
  waiting: number;
  active: number;
  /** Seconds the oldest waiting job has waited (null: none waits). */
  oldestWaitingSeconds: number | null;
  byPriority: Record<
    string,
    { waiting: number; active: number; oldestWaitingSeconds: number | null }
  >;
}

export interface QueueHealth {
  queueHealth(): Promise<QueueHealthFigures>;
}

/** One line for /health, e.g. `Active - Queue: 5 waiting (oldest 12 s), 2 running`. */
export function describeQueue(figures: QueueHealthFigures): string {
  const oldest =
    figures.oldestWaitingSeconds === null ? '' : ` (oldest ${figures.oldestWaitingSeconds} s)`;
  return `Active - Queue: ${figures.waiting} waiting${oldest}, ${figures.active} running`;
}
