/** class-transformer's `@Transform(toInt)`: an integer-looking string becomes a number. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
