const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed UUID: check ids from clients before they reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
