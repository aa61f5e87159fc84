export interface ShutdownDeadline {
  /** Who is stopping, as the message names it: "API", "Worker". */
  who: string;
  /** The variable that set `ms`, so the message says what to change. */
  variable: string;
  ms: number;
  /** What happens to the work it still held. */
  consequence: string;
}

/**
 * Ends the process with code 1 when it has not stopped within `ms` of SIGTERM or SIGINT.
 *
 * Nest's shutdown hooks (enableShutdownHooks) stop a process gracefully: the API answers its
 * requests in flight, the worker finishes or hands back its jobs, then the connections close.
 * A close that waits on a Redis or PostgreSQL that is down or hung would never end, and the
 * process would linger, serving nothing, until something killed it. Past the deadline it says
 * so on stderr and exits; what it held is recovered as after a crash.
 */
export function exitUnlessStoppedWithin({
  who,
  variable,
  ms,
  consequence,
}: ShutdownDeadline): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(
          `${who} did not stop within ${variable} (${ms} ms): exiting; ${consequence}\n`,
        );
        process.exit(1);
      }, ms).unref();
    });
}
