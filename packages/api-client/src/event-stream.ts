/** One event of a `text/event-stream`. */
export interface ServerSentEvent {
  /** `event:`; `message` when the event named none. */
  event: string;
  /** The `data:` lines, joined with a line feed. */
  data: string;
  /** The last event id once this event was dispatched (`id:` of this or an earlier event). */
  id: string;
}

/**
 * Parses a text/event-stream as the HTML standard says an EventSource does
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end in CRLF, LF or CR; a line starting with `:` is a comment; `field: value` drops one
 * space after the colon; a blank line dispatches the event gathered so far (none without data).
 * `id:` (without NUL) sets the last event id, kept across events and given to the next
 * connection; `retry:` (digits only) sets the reconnection time. Feed it decoded text with
 * `push` (pieces may end anywhere, even between the CR and LF of a line end), and call `end`
 * when the stream ends (an event not ended by a blank line is dropped).
 */
export class EventStreamParser {
  /** What the last dispatched event left as the last event id (send it as Last-Event-ID). */
  lastEventId: string;
  /** The last `retry:` the stream sent, in milliseconds; null when it sent none. */
  retryMs: number | null = null;
  private pending = '';
  /** The last piece ended in CR: an LF first in the next one is the rest of that line end. */
  private afterCR = false;
  private started = false;
  private eventType = '';
  private data = '';
  private idBuffer: string;

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
    this.idBuffer = lastEventId;
  }

  /** The events completed by this piece of the stream. */
  push(text: string): ServerSentEvent[] {
    let buffer = this.pending + text;
    if (!this.started && buffer.length > 0) {
      this.started = true;
      if (buffer.startsWith('\uFEFF')) buffer = buffer.slice(1);
    }
    const events: ServerSentEvent[] = [];
    // The LF of a CRLF whose CR ended the piece before: that line is done already.
    let lineStart = this.afterCR && buffer.startsWith('\n') ? 1 : 0;
    if (buffer.length > 0) this.afterCR = false;
    for (let i = lineStart; i < buffer.length; i += 1) {
      const char = buffer[i];
      if (char !== '\n' && char !== '\r') continue;
      const event = this.line(buffer.slice(lineStart, i));
      if (event) events.push(event);
      if (char === '\r') {
        // A CR ends its line at once (a stream may end its lines with CR alone), and an LF right
        // after it, here or first in the next piece, is part of the same line end.
        if (i === buffer.length - 1) this.afterCR = true;
        else if (buffer[i + 1] === '\n') i += 1;
      }
      lineStart = i + 1;
    }
    this.pending = buffer.slice(lineStart);
    return events;
  }

  /** The stream ended: an event not ended by a blank line is dropped. */
  end(): void {
    this.pending = '';
    this.afterCR = false;
    this.eventType = '';
    this.data = '';
  }

  private line(line: string): ServerSentEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): ServerSentEvent | null {
    this.lastEventId = this.idBuffer;
    const { data, eventType } = this;
    this.data = '';
    this.eventType = '';
    if (data === '') return null;
    return { event: eventType || 'message', data: data.slice(0, -1), id: this.lastEventId };
  }
}
