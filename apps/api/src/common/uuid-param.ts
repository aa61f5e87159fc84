import { Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';

/** A uuid in its canonical form: PostgreSQL matches a uuid in any case, JavaScript strings do not. */
const canonical: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/**
 * A route's uuid (v4) parameter, lower-cased: an id compared as a string (is this the caller's
 * own account?) or stored as text (an audit event's target) is the same id however it was typed.
 */
export const UuidParam = (name: string) =>
  Param(name, new ParseUUIDPipe({ version: '4' }), canonical);
