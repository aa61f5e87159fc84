import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '@jewelshot/identity';

/** What a device id may look like: the SPA sends a UUID; anything odd is ignored, not refused. */
const DEVICE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** `::ffff:203.0.113.7` (an IPv4 client on a dual-stack socket) is `203.0.113.7`. */
function plainAddress(ip: string | undefined): string | null {
  if (!ip) return null;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

/**
 * The request's client address (Fastify's `request.ip`: TRUSTED_PROXIES-aware) and its
 * `X-Device-Id`, for the events the abuse signals learn from (docs/abuse.md).
 */
export function clientInfoOf(request: FastifyRequest): ClientInfo {
  const header = request.headers['x-device-id'];
  const deviceId = typeof header === 'string' && DEVICE_ID.test(header) ? header : null;
  return { address: plainAddress(request.ip), deviceId };
}

/** Documents the optional `X-Device-Id` header on an operation that reads it. */
export function DeviceIdHeader(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'X-Device-Id',
      required: false,
      description:
        'A random id the client keeps (the SPA: in local storage), 8-64 of A-Z a-z 0-9 _ -. Optional; helps tell devices apart for abuse scoring. Anything else is ignored.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    }),
  );
}
