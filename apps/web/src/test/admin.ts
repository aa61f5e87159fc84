import { afterEach, beforeEach, vi } from 'vitest';
import type { AuditEvent } from '../admin/admin-api';
import { api } from '../api';

/**
 * Each test of the suite runs with the app's session signed in as an admin (the fakes never
 * read the token), signed out after it, with the fetch fake it stubbed removed.
 */
export function signedInAsAdmin(id = 'admin-id'): void {
  beforeEach(() => {
    api.session.signIn({
      accessToken: 'not-a-jwt',
      user: { id, email: 'admin@example.com', role: 'admin' },
    });
  });
  afterEach(() => {
    api.session.signOut();
    vi.unstubAllGlobals();
  });
}

/** An audit event as the admin routes answer it, recorded by that admin. */
export function anAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    seq: 1,
    action: 'user.ban',
    outcome: 'succeeded',
    targetId: null,
    targetType: null,
    actorId: null,
    actorEmail: 'admin@example.com',
    ip: null,
    userAgent: null,
    requestId: null,
    reason: 'r',
    before: null,
    after: null,
    details: null,
    hash: 'h',
    occurredAt: '2026-11-28T11:00:00.000Z',
    ...overrides,
  };
}
