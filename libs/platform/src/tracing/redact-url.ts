import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What a query value (or a part that is not `name=value`) becomes on a span. */
export const REDACTED = 'REDACTED';

// A name is kept when it looks like one; anything else (`?<token>`, a long or odd name) is
// treated as a value.
const PARAMETER_NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/;

/**
 * A query string (without its `?`) with every value replaced: `token=abc&x` becomes
 * `token=REDACTED&REDACTED`. Reset and verify links, unsubscribe links, `?api_key=`, and the
 * signed URLs of outgoing calls carry secrets in their values; only the names are kept.
 */
export function redactQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals === -1) return part === '' ? '' : REDACTED;
      const name = part.slice(0, equals);
      return PARAMETER_NAME.test(name) ? `${name}=${REDACTED}` : REDACTED;
    })
    .join('&');
}

// `scheme://user:password@host`: the credentials part.
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/;

/**
 * A URL or request target with its query values redacted (redactQuery), its credentials
 * replaced and no fragment.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const withoutFragment = (hash === -1 ? url : url.slice(0, hash)).replace(
    USERINFO,
    `$1${REDACTED}:${REDACTED}@`,
  );
  const question = withoutFragment.indexOf('?');
  if (question === -1) return withoutFragment;
  return `${withoutFragment.slice(0, question)}?${redactQuery(withoutFragment.slice(question + 1))}`;
}

/** The attributes that hold a URL or its query (stable and older HTTP semantic conventions). */
const URL_ATTRIBUTES: Record<string, (value: string) => string> = {
  'url.query': (value) => redactQuery(value.startsWith('?') ? value.slice(1) : value),
  'url.full': redactUrl,
  'url.original': redactUrl,
  'http.url': redactUrl,
  'http.target': redactUrl,
};

function redactSpan(span: Span): void {
  for (const [key, redact] of Object.entries(URL_ATTRIBUTES)) {
    const value = span.attributes[key];
    if (typeof value !== 'string') continue;
    const redacted = redact(value);
    if (redacted !== value) span.setAttribute(key, redacted);
  }
}

/**
 * Redacts the query values of every span's URL attributes, whichever instrumentation set them:
 * at the start (instrumentation-http sets them there, for incoming and outgoing requests) and
 * again as the span ends, before any processor exports it. instrumentation-http's own
 * redaction knows a few parameter names only (`sig`, …); this keeps no value at all.
 * Registered first among the span processors.
 */
export class UrlRedactingSpanProcessor implements SpanProcessor {
  onStart(span: Span): void {
    redactSpan(span);
  }

  onEnding(span: Span): void {
    redactSpan(span);
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
