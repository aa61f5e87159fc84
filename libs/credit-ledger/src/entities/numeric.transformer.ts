import type { ValueTransformer } from 'typeorm';

/** bigint columns come back from pg as strings; credit amounts stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
