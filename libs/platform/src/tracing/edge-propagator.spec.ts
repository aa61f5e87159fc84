import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { EdgePropagator, parseTraceparent, TRUSTED_CARRIER_GETTER } from './edge-propagator';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('EdgePropagator', () => {
  const propagator = new EdgePropagator();

  it("takes no parent from a client's headers (what HTTP instrumentation extracts from)", () => {
    const headers = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };
    const extracted = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    expect(extracted).toBe(ROOT_CONTEXT);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it('round-trips our own carrier (a queue job): inject, then extract as trusted', () => {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
    });
    const carrier: Record<string, string> = {};
    propagator.inject(parent, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
    const extracted = propagator.extract(ROOT_CONTEXT, carrier, TRUSTED_CARRIER_GETTER);
    expect(trace.getSpanContext(extracted)).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('injects nothing without a valid span context', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
  });
});

describe('parseTraceparent', () => {
  it('reads a valid one, with its tracestate', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`, 'vendor=x')).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.NONE,
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'vendor=x')?.traceState?.get('vendor')).toBe(
      'x',
    );
    // A later version may add fields.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId).toBe(TRACE);
  });

  it.each([
    undefined,
    '',
    'garbage',
    `ff-${TRACE}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-01-extra`,
    `00-${'0'.repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`,
  ])('refuses %p', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});
