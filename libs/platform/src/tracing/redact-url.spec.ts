import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { redactQuery, redactUrl, UrlRedactingSpanProcessor } from './redact-url';

describe('redactQuery / redactUrl', () => {
  it('keeps the parameter names, never a value', () => {
    expect(redactQuery('token=abc.def&next=%2Fapp')).toBe('token=REDACTED&next=REDACTED');
    expect(redactQuery('api_key=k&api_key=l&empty=')).toBe(
      'api_key=REDACTED&api_key=REDACTED&empty=REDACTED',
    );
    // A part without `=` (a bare token) and an odd name are values.
    expect(redactQuery('eyJhbGciOi.secret&ok=1')).toBe('REDACTED&ok=REDACTED');
    expect(redactQuery(`${'n'.repeat(65)}=1&a%20b=2`)).toBe('REDACTED&REDACTED');
    expect(redactQuery('')).toBe('');
  });

  it('redacts a URL: query values, credentials, fragment', () => {
    expect(redactUrl('https://bucket.s3.test/key.png?X-Amz-Signature=abc&X-Amz-Credential=x')).toBe(
      'https://bucket.s3.test/key.png?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED',
    );
    expect(redactUrl('/reset-password?token=secret#frag')).toBe('/reset-password?token=REDACTED');
    expect(redactUrl('http://user:pass@host:8080/p?q=1')).toBe(
      'http://REDACTED:REDACTED@host:8080/p?q=REDACTED',
    );
    expect(redactUrl('http://host/no-query')).toBe('http://host/no-query');
  });
});

describe('UrlRedactingSpanProcessor', () => {
  it('redacts the URL attributes set at the start and later, before any exporter sees them', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new UrlRedactingSpanProcessor(), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const server = tracer.startSpan('GET', {
      attributes: { 'url.path': '/verify-email', 'url.query': 'token=live-secret' },
    });
    server.end();
    const client = tracer.startSpan('GET', {
      attributes: { 'url.full': 'https://files.test/a.png?sig=s1&expires=2' },
    });
    client.setAttributes({
      'http.url': 'https://files.test/a.png?token=late-secret',
      'http.target': '/a.png?token=late-secret',
    });
    client.end();
    await provider.forceFlush();

    const [first, second] = exporter.getFinishedSpans();
    expect(first?.attributes).toEqual({
      'url.path': '/verify-email',
      'url.query': 'token=REDACTED',
    });
    expect(second?.attributes).toEqual({
      'url.full': 'https://files.test/a.png?sig=REDACTED&expires=REDACTED',
      'http.url': 'https://files.test/a.png?token=REDACTED',
      'http.target': '/a.png?token=REDACTED',
    });
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toMatch(
      /secret|s1/,
    );
    await provider.shutdown();
  });
});
