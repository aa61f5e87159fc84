/**
 * Tells the hold sweeper which references (job ids) are still being worked on, so that a
 * pending hold past its expiry is only released once nothing can still charge it.
 */
export interface HoldActivity {
  stillActive(references: string[]): Promise<Set<string>>;
}

export const HOLD_ACTIVITY = Symbol('HOLD_ACTIVITY');
