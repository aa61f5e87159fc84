/** class-transformer's `@Transform` for a free-text field: surrounding white space removed. */
export const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;
