import { describe, expect, it } from 'vitest';
import { EventStreamParser, type ServerSentEvent } from '../src/event-stream.js';

/** Feeds `pieces` one by one, then ends the stream; returns every event and the parser. */
function parse(pieces: string[], lastEventId = '') {
  const parser = new EventStreamParser(lastEventId);
  const events: ServerSentEvent[] = [];
  for (const piece of pieces) events.push(...parser.push(piece));
  parser.end();
  return { events, parser };
}

const STREAM =
  '\uFEFF: a comment, then an unnamed event\n' +
  'data: one\n\n' +
  'retry: 1500\r\n' +
  'id: 7\r\n' +
  'event: status\r\n' +
  'data: {"a":1,\r\n' +
  'data:"b":2}\r\n' +
  '\r\n' +
  'event: status\r' +
  'data:  two spaces keep one\r' +
  'data\r' +
  '\r' +
  'id: 8\n' +
  'event: ignored, no data\n' +
  '\n' +
  'unknown: field\n' +
  'event: end\n' +
  'data: {"reason":"SESSION_ENDED"}\n' +
  '\n' +
  'data: never ended by a blank line';

const EXPECTED: ServerSentEvent[] = [
  { event: 'message', data: 'one', id: '' },
  { event: 'status', data: '{"a":1,\n"b":2}', id: '7' },
  { event: 'status', data: ' two spaces keep one\n', id: '7' },
  { event: 'end', data: '{"reason":"SESSION_ENDED"}', id: '8' },
];

describe('EventStreamParser (text/event-stream as EventSource reads it)', () => {
  it('reads LF, CRLF and CR line ends, comments, multi-line data, id and retry', () => {
    const { events, parser } = parse([STREAM]);
    expect(events).toEqual(EXPECTED);
    expect(parser.lastEventId).toBe('8');
    expect(parser.retryMs).toBe(1500);
  });

  it('gives the same events however the stream is cut into pieces', () => {
    for (let cut = 1; cut < STREAM.length; cut += 1) {
      expect(parse([STREAM.slice(0, cut), STREAM.slice(cut)]).events).toEqual(EXPECTED);
    }
    expect(parse([...STREAM]).events).toEqual(EXPECTED);
  });

  it('keeps the last event id of the connection before, and ignores a bad id or retry', () => {
    const { events, parser } = parse(
      ['id: a\0b\n', 'retry: 10s\n', 'data: x\n\n', 'id\n', 'data: y\n\n'],
      '41',
    );
    expect(events).toEqual([
      { event: 'message', data: 'x', id: '41' },
      // `id` with no value resets the last event id.
      { event: 'message', data: 'y', id: '' },
    ]);
    expect(parser.retryMs).toBeNull();
  });

  it('dispatches on a CR at once, without waiting to see whether an LF follows', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: one\r')).toEqual([]);
    expect(parser.push('\r')).toEqual([{ event: 'message', data: 'one', id: '' }]);
    // An LF first in the next piece ends that CR's line, not one more (blank) line.
    expect(parser.push('data: two\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\r\n')).toEqual([{ event: 'message', data: 'two', id: '' }]);
  });
});
