/** The five signals (stored in abuse_signals.signal: never rename one). */
export const SIGNALS = [
  'rapid-fire',
  'duplicate-prompt',
  'farming',
  'accounts-per-address',
  'accounts-per-device',
] as const;
export type SignalName = (typeof SIGNALS)[number];

/** One signal's reading: 0-100, why, and what it saw. */
export interface SignalReading {
  signal: SignalName;
  value: number;
  reason: string;
  evidence: Record<string, unknown>;
}

/**
 * A count against its threshold: 0 below it, 50 at it, rising linearly to 100 at twice it.
 * A signal never jumps to 100 on the first count past a threshold, and the weight decides how
 * much one signal alone can do.
 */
export function ramp(count: number, threshold: number): number {
  if (count < threshold) return 0;
  return Math.min(100, Math.round((50 * count) / threshold));
}

/** The score: the weighted sum of the signals (weights in percent), capped at 100. */
export function combine(
  readings: readonly SignalReading[],
  weights: Readonly<Record<SignalName, number>>,
): number {
  const sum = readings.reduce((total, r) => total + (r.value * weights[r.signal]) / 100, 0);
  return Math.min(100, Math.round(sum));
}
