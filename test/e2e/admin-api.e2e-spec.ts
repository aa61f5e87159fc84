import { randomUUID } from 'node:crypto';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AdminActions } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { LedgerService } from '@jewelshot/credit-ledger';
import { REDIS, RowScope } from '@jewelshot/platform';
import type { Redis } from 'ioredis';
import { ApiModule } from '../../apps/api/src/api.module';
import { ROLES } from '../../apps/api/src/common/roles.decorator';
import { startApi, type TestApi } from '../support/app';
import { Client } from 'pg';
import { expectLedgerClean, fund, jobRows, submit, upload } from '../support/ai';
import { smallPng } from '../support/images';
import { bearer, newAdmin, newApiKey, newUser, type TestUser } from '../support/factories';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { suitePrefix } from '../support/test-env';

interface Route {
  method: string;
  path: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every admin write route of the API, read from the controllers' own metadata. */
function adminWriteRoutes(api: TestApi): Route[] {
  const controllers = (ApiModule.forRoot(api.config).controllers ?? []) as Type[];
  const routes: Route[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const classRoles = Reflect.getMetadata(ROLES, controller) as string[] | undefined;
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (verb === undefined) continue;
      const roles = (Reflect.getMetadata(ROLES, handler) as string[] | undefined) ?? classRoles;
      const method = RequestMethod[verb];
      if (!roles?.includes('admin') || !WRITE_METHODS.has(method)) continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const path = `/v1/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(
        /\/+/g,
        '/',
      );
      routes.push({ method, path });
    }
  }
  return routes;
}

interface Call {
  path: string;
  body: object;
}

/**
 * How to call each admin write route once, on fresh targets. A new admin write route without a
 * row here fails the route-table test: every write must show it records its audit event.
 */
type Fixture = (ctx: { api: TestApi; admin: TestUser }) => Promise<Call>;

async function queuedJob(api: TestApi, of?: TestUser): Promise<string> {
  const owner = of ?? (await newUser(api, 'owner'));
  await fund(api, owner, 5);
  const res = await submit(api, owner, { operation: 'generate', params: { prompt: 'ring' } });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A job that failed the way the worker fails one: its hold refunded, its row failed. */
async function failedJob(api: TestApi, of?: TestUser): Promise<string> {
  const jobId = await queuedJob(api, of);
  const [row] = await api.db.query('SELECT hold_id FROM ai_jobs WHERE id = $1', [jobId]);
  await api.app
    .get(RowScope)
    .allUsers(() => api.app.get(LedgerService).refund(row.hold_id, 'provider failed'));
  await api.db.query(
    `UPDATE ai_jobs SET status = 'failed', finished_at = now(), error_code = 'PROVIDER_ERROR',
            error_message = 'upstream 500: raw detail' WHERE id = $1`,
    [jobId],
  );
  return jobId;
}

/** An open abuse flag, as the worker's scoring leaves one: the user moved to `low`. */
async function openFlag(api: TestApi, of?: TestUser): Promise<string> {
  const user = of ?? (await newUser(api, 'flagged'));
  const id = randomUUID();
  await api.db.query(`UPDATE users SET priority_tier = 'low' WHERE id = $1`, [user.id]);
  await api.db.query(
    `INSERT INTO abuse_flags (id, user_id, status, score, signals, previous_tier)
     VALUES ($1, $2, 'open', 80, '[]'::jsonb, 'normal')`,
    [id, user.id],
  );
  return id;
}

const FIXTURES: Record<string, Fixture> = {
  'POST /v1/admin/abuse/flags/:flagId/resolve': async ({ api }) => ({
    path: `/v1/admin/abuse/flags/${await openFlag(api)}/resolve`,
    body: { resolution: 'dismissed', note: 'a shared office network' },
  }),
  'POST /v1/admin/users/:userId/ban': async ({ api }) => ({
    path: `/v1/admin/users/${(await newUser(api)).id}/ban`,
    body: { reason: 'fraud' },
  }),
  'POST /v1/admin/users/:userId/unban': async ({ api }) => {
    const user = await newUser(api);
    await api.db.query(`UPDATE users SET status = 'banned' WHERE id = $1`, [user.id]);
    return { path: `/v1/admin/users/${user.id}/unban`, body: { reason: 'appeal accepted' } };
  },
  'POST /v1/admin/users/:userId/sessions/end': async ({ api }) => ({
    path: `/v1/admin/users/${(await newUser(api)).id}/sessions/end`,
    body: { reason: 'stolen laptop' },
  }),
  'PUT /v1/admin/users/:userId/priority-tier': async ({ api }) => ({
    path: `/v1/admin/users/${(await newUser(api)).id}/priority-tier`,
    body: { priorityTier: 'high', reason: 'key account' },
  }),
  'POST /v1/admin/users/:userId/promote': async ({ api }) => ({
    path: `/v1/admin/users/${(await newUser(api)).id}/promote`,
    body: { reason: 'new support hire' },
  }),
  'POST /v1/admin/users/:userId/demote': async ({ api }) => ({
    path: `/v1/admin/users/${(await newAdmin(api)).id}/demote`,
    body: { reason: 'left the team' },
  }),
  'POST /v1/admin/users/:userId/credits': async ({ api }) => ({
    path: `/v1/admin/users/${(await newUser(api)).id}/credits`,
    body: { delta: 5, reference: randomUUID(), reason: 'goodwill' },
  }),
  'PUT /v1/admin/prices/:operation': async () => ({
    path: '/v1/admin/prices/upscale',
    body: { credits: 2, reason: 'price review' },
  }),
  'POST /v1/admin/jobs/:jobId/cancel': async ({ api }) => ({
    path: `/v1/admin/jobs/${await queuedJob(api)}/cancel`,
    body: { reason: 'stuck' },
  }),
  'POST /v1/admin/jobs/:jobId/retry': async ({ api }) => ({
    path: `/v1/admin/jobs/${await failedJob(api)}/retry`,
    body: { payer: 'free', reason: 'provider outage' },
  }),
  'POST /v1/admin/queues/pause': async () => ({
    path: '/v1/admin/queues/pause',
    body: { reason: 'provider maintenance' },
  }),
  'POST /v1/admin/queues/resume': async () => ({
    path: '/v1/admin/queues/resume',
    body: { reason: 'maintenance over' },
  }),
  'POST /v1/admin/queues/drain-failed': async () => ({
    path: '/v1/admin/queues/drain-failed',
    body: { reason: 'clean up' },
  }),
};

interface EventRow {
  seq: number;
  action: string;
  outcome: string;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
  reason: string | null;
}

describe('the admin API', () => {
  let own: SuiteDatabase;
  let api: TestApi;
  let admin: TestUser;

  beforeAll(async () => {
    // A database of its own: prices change here, and the chain must hold only this suite's events.
    own = await suiteDatabase('admin');
    api = await startApi({
      DATABASE_URL: own.url,
      REDIS_KEY_PREFIX: suitePrefix('admin-api'),
      SIGNUP_CREDITS: '3',
    });
    admin = await newAdmin(api);
  });

  afterAll(async () => {
    await api.close();
    await own.drop();
  });

  const eventsOf = (requestId: string): Promise<EventRow[]> =>
    api.db.query(
      `SELECT seq::int AS seq, action, outcome, actor_id, ip, user_agent, request_id, before, after,
              details, reason
         FROM audit_events WHERE request_id = $1 ORDER BY seq`,
      [requestId],
    );

  const send = (route: Route, call: Call, token: string, requestId: string) =>
    api
      .http()
      [route.method.toLowerCase() as 'post' | 'put'](call.path)
      .set(...bearer(token))
      .set('X-Request-Id', requestId)
      .set('User-Agent', 'admin-console-test/1.0')
      .send(call.body);

  it('refuses a cursor that names no row on every admin list, as the seller lists do (400 cursor)', async () => {
    for (const list of ['users', 'emails', 'jobs', 'abuse/flags']) {
      const response = await api
        .http()
        .get(`/v1/admin/${list}?cursor=${randomUUID()}`)
        .set(...bearer(admin.accessToken));
      expect({ list, status: response.status, code: response.body.code }).toEqual({
        list,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
      expect(response.body.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });

  it('has a fixture for every admin write route (a new route must show its audit event)', () => {
    const routes = adminWriteRoutes(api).map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThanOrEqual(13);
    expect([...routes].sort()).toEqual(Object.keys(FIXTURES).sort());
  });

  it('records exactly one succeeded event, with actor, IP, user agent, request id and before/after, for every admin write route', async () => {
    for (const route of adminWriteRoutes(api)) {
      const key = `${route.method} ${route.path}`;
      const fixture = FIXTURES[key];
      if (!fixture) throw new Error(`no fixture for ${key}`);
      const requestId = `admin-write-${randomUUID()}`;
      const res = await send(route, await fixture({ api, admin }), admin.accessToken, requestId);
      expect({ key, status: res.status }).toEqual({ key, status: expect.any(Number) });
      if (res.status >= 300) throw new Error(`${key}: ${res.status} ${JSON.stringify(res.body)}`);
      const events = await eventsOf(requestId);
      expect({ key, events: events.length }).toEqual({ key, events: 1 });
      const [event] = events as [EventRow];
      expect({ key, ...event }).toMatchObject({
        key,
        outcome: 'succeeded',
        actor_id: admin.id,
        ip: expect.stringMatching(/\S/),
        user_agent: 'admin-console-test/1.0',
        request_id: requestId,
      });
      expect(event.before).not.toBeNull();
      expect(event.after).not.toBeNull();
    }
  });

  it('refuses every admin write route that takes a reason when the reason is left out', async () => {
    let checked = 0;
    for (const route of adminWriteRoutes(api)) {
      const key = `${route.method} ${route.path}`;
      const fixture = FIXTURES[key];
      if (!fixture) throw new Error(`no fixture for ${key}`);
      const call = await fixture({ api, admin });
      if (!('reason' in call.body)) continue;
      const { reason: _reason, ...withoutReason } = call.body;
      const res = await send(
        route,
        { ...call, body: withoutReason },
        admin.accessToken,
        randomUUID(),
      );
      expect({ key, status: res.status }).toEqual({ key, status: 400 });
      expect({
        key,
        fields: (res.body.details as Array<{ field: string }>).map((d) => d.field),
      }).toEqual({
        key,
        fields: ['reason'],
      });
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(13);
  });

  it('refuses every admin write route to a user with 403 and records a denied event', async () => {
    for (const route of adminWriteRoutes(api)) {
      const key = `${route.method} ${route.path}`;
      const caller = await newUser(api, 'intruder');
      const requestId = `admin-denied-${randomUUID()}`;
      const call = { path: route.path.replace(/:(\w+)/g, randomUUID()), body: { reason: 'x' } };
      const res = await send(route, call, caller.accessToken, requestId);
      expect({ key, status: res.status }).toEqual({ key, status: 403 });
      const events = await eventsOf(requestId);
      expect({ key, events: events.map((e) => [e.outcome, e.actor_id]) }).toEqual({
        key,
        events: [['denied', caller.id]],
      });
    }
  });

  it('records an API key tried on an admin route as a denied event of its owner', async () => {
    const owner = await newUser(api, 'key-intruder');
    const key = await newApiKey(api, owner, ['jobs:read'], 'curious');
    const requestId = `admin-key-denied-${randomUUID()}`;
    const res = await api
      .http()
      .get('/v1/admin/users')
      .set(...bearer(key))
      .set('X-Request-Id', requestId);
    expect(res.status).toBe(403);
    const events = await eventsOf(requestId);
    expect(events.map((e) => [e.action, e.outcome, e.actor_id])).toEqual([
      ['admin.access', 'denied', owner.id],
    ]);
  });

  it('records one denied event per caller per window, however many calls', async () => {
    const caller = await newUser(api, 'hammer');
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const requestId = `hammer-${randomUUID()}`;
      ids.push(requestId);
      const res = await api
        .http()
        .get('/v1/admin/users')
        .set(...bearer(caller.accessToken))
        .set('X-Request-Id', requestId);
      expect(res.status).toBe(403);
    }
    const rows = await api.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE actor_id = $1 AND outcome = 'denied'`,
      [caller.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('a failing adjustment changes nothing, records no succeeded event, and a failed one outside the transaction', async () => {
    const user = await newUser(api);
    const requestId = `admin-fail-${randomUUID()}`;
    const res = await api
      .http()
      .post(`/v1/admin/users/${user.id}/credits`)
      .set(...bearer(admin.accessToken))
      .set('X-Request-Id', requestId)
      .send({ delta: -100, reference: randomUUID(), reason: 'too much' });
    expect(res.status).toBe(409);
    const events = await eventsOf(requestId);
    expect(events.map((e) => e.outcome)).toEqual(['failed']);
    expect(events[0]?.details).toMatchObject({ code: 'CONFLICT' });
    const balance = await api.db.query(
      'SELECT balance::int AS b FROM credit_accounts WHERE user_id = $1',
      [user.id],
    );
    expect(balance[0].b).toBe(3);
    const entries = await api.db.query(
      `SELECT count(*)::int AS n FROM credit_entries WHERE user_id = $1 AND kind = 'adjustment'`,
      [user.id],
    );
    expect(entries[0].n).toBe(0);
  });

  it('a replayed adjustment changes nothing and is on the record as a replay, not a second adjustment', async () => {
    const user = await newUser(api);
    const body = { delta: 4, reference: randomUUID(), reason: 'goodwill' };
    const adjust = () =>
      api
        .http()
        .post(`/v1/admin/users/${user.id}/credits`)
        .set(...bearer(admin.accessToken))
        .send(body);
    const first = await adjust();
    const again = await adjust();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.id).toBe(first.body.id);
    const [{ b }] = await api.db.query(
      'SELECT balance::int AS b FROM credit_accounts WHERE user_id = $1',
      [user.id],
    );
    expect(b).toBe(7);
    const log = await api
      .http()
      .get(`/v1/admin/audit?targetId=${user.id}&action=credits.adjust`)
      .set(...bearer(admin.accessToken));
    // Newest first.
    expect(log.body.data).toHaveLength(2);
    expect(log.body.data[1]).toMatchObject({ before: { balance: 3 }, after: { balance: 7 } });
    expect(log.body.data[1].details.replayed).toBeUndefined();
    expect(log.body.data[0]).toMatchObject({
      outcome: 'succeeded',
      before: { balance: 7 },
      after: { balance: 7 },
      details: { entryId: first.body.id, replayed: true },
    });
    // The same reference for another request (here, another reason) is a conflict.
    const other = await api
      .http()
      .post(`/v1/admin/users/${user.id}/credits`)
      .set(...bearer(admin.accessToken))
      .send({ ...body, reason: 'something else' });
    expect(other.status).toBe(409);
    const [{ n }] = await api.db.query(
      `SELECT count(*)::int AS n FROM audit_events
        WHERE target_id = $1 AND action = 'credits.adjust' AND outcome = 'succeeded'`,
      [user.id],
    );
    expect(n).toBe(2);
  });

  it("shows the adjustment in the user's balance, the admin's history view and the audit log", async () => {
    const user = await newUser(api);
    const res = await api
      .http()
      .post(`/v1/admin/users/${user.id}/credits`)
      .set(...bearer(admin.accessToken))
      .send({ delta: 7, reference: randomUUID(), reason: 'promo' });
    expect(res.status).toBe(200);
    const history = await api
      .http()
      .get(`/v1/admin/users/${user.id}/credits/history`)
      .set(...bearer(admin.accessToken));
    expect(history.body.data[0]).toMatchObject({ kind: 'adjustment', delta: 7, balanceAfter: 10 });
    const log = await api
      .http()
      .get(`/v1/admin/audit?targetId=${user.id}&action=credits.adjust`)
      .set(...bearer(admin.accessToken));
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({
      action: 'credits.adjust',
      actorId: admin.id,
      actorEmail: admin.email,
      outcome: 'succeeded',
      reason: 'promo',
      before: { balance: 3 },
      after: { balance: 10 },
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const one = await api
      .http()
      .get(`/v1/admin/audit/${log.body.data[0].seq}`)
      .set(...bearer(admin.accessToken));
    expect(one.body).toEqual(log.body.data[0]);
  });

  it("lets an admin's session read, but not cancel, another user's job on the seller routes, and an admin's API key neither", async () => {
    const owner = await newUser(api, 'seller');
    await fund(api, owner, 1);
    const { body: job } = await submit(api, owner, {
      operation: 'generate',
      params: { prompt: 'not the admin’s ring' },
    });
    const adminKey = await newApiKey(
      api,
      admin,
      ['jobs:read', 'jobs:write', 'files:write'],
      'admin integration',
    );
    const audited = async () =>
      (
        (await api.db.query(`SELECT count(*)::int AS n FROM audit_events`)) as Array<{ n: number }>
      )[0]?.n;
    const before = await audited();
    const attempt = async (credential: string) => {
      const as: [string, string] = ['Authorization', `Bearer ${credential}`];
      const read = await api
        .http()
        .get(`/v1/ai/jobs/${job.id}`)
        .set(...as);
      const cancel = await api
        .http()
        .post(`/v1/ai/jobs/${job.id}/cancel`)
        .set(...as);
      return [read.status, cancel.status];
    };
    expect(await attempt(admin.accessToken)).toEqual([200, 404]);
    expect(await attempt(adminKey)).toEqual([404, 404]);
    // Untouched: the audited way to cancel is /v1/admin/jobs/{id}/cancel. On the record: the
    // admin's read of the seller's job, and nothing else.
    expect((await jobRows(api, [job.id]))[0]?.status).toBe('queued');
    expect(await audited()).toBe((before ?? 0) + 1);
    const [read] = await api.db.query(
      `SELECT action, outcome, actor_id, target_type, target_id, details FROM audit_events
        ORDER BY seq DESC LIMIT 1`,
    );
    expect(read).toEqual({
      action: 'support.read',
      outcome: 'succeeded',
      actor_id: admin.id,
      target_type: 'user',
      target_id: owner.id,
      details: { resource: 'job', id: job.id },
    });
  });

  it("puts an admin's reads of another user's detail, job, job stream, batch and file on the record, once per resource per window", async () => {
    const owner = await newUser(api, 'watched');
    await fund(api, owner, 5);
    const file = await upload(api, owner, await smallPng());
    const { body: job } = await submit(api, owner, {
      operation: 'upscale',
      params: { inputImageId: file.body.id, scale: 2 },
    });
    const batch = await api
      .http()
      .post('/v1/batches')
      .set(...bearer(owner.accessToken))
      .send({
        name: 'watched batch',
        operation: 'upscale',
        params: { scale: 2 },
        inputImageIds: [file.body.id],
      });
    expect(batch.status).toBe(201);
    const reads = () =>
      api.db.query(
        `SELECT details FROM audit_events
          WHERE action = 'support.read' AND actor_id = $1 AND target_id = $2 ORDER BY seq`,
        [admin.id, owner.id],
      ) as Promise<Array<{ details: { resource: string; id: string } }>>;
    const get = (path: string, who: TestUser) =>
      api
        .http()
        .get(path)
        .set(...bearer(who.accessToken));

    // The owner reads their own: nothing recorded.
    for (const path of [
      `/v1/ai/jobs/${job.id}`,
      `/v1/batches/${batch.body.id}`,
      `/v1/files/${file.body.id}`,
    ])
      expect((await get(path, owner)).status).toBe(200);
    expect(await reads()).toEqual([]);

    // The admin reads each twice (a page that polls): one event each.
    for (let i = 0; i < 2; i += 1)
      for (const path of [
        `/v1/admin/users/${owner.id}`,
        `/v1/ai/jobs/${job.id}`,
        `/v1/batches/${batch.body.id}`,
        `/v1/files/${file.body.id}`,
      ])
        expect((await get(path, admin)).status).toBe(200);
    expect((await reads()).map((r) => r.details)).toEqual([
      { resource: 'user', id: owner.id },
      { resource: 'job', id: job.id },
      { resource: 'batch', id: batch.body.id },
      { resource: 'file', id: file.body.id },
    ]);

    // The admin routes' views of one user: the job's detail and the ledger history.
    await api.app.get<Redis>(REDIS).del(`admin:read:${admin.id}:job:${job.id}`);
    expect((await get(`/v1/admin/jobs/${job.id}`, admin)).status).toBe(200);
    expect((await get(`/v1/admin/users/${owner.id}/credits/history`, admin)).status).toBe(200);
    expect((await reads()).slice(-2).map((r) => r.details)).toEqual([
      { resource: 'job', id: job.id },
      { resource: 'credits', id: owner.id },
    ]);

    // A read whose event cannot be written is refused, and so is the next, until one stands.
    const other = await newUser(api, 'unrecorded');
    await api.db.query(`
      CREATE FUNCTION refuse_read_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'support.read' THEN
          RAISE EXCEPTION 'audit insert refused by the test';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_read_event BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION refuse_read_event();`);
    try {
      for (let i = 0; i < 2; i += 1)
        expect((await get(`/v1/admin/users/${other.id}`, admin)).status).toBe(500);
    } finally {
      await api.db.query(
        'DROP TRIGGER refuse_read_event ON audit_events; DROP FUNCTION refuse_read_event()',
      );
    }
    expect((await get(`/v1/admin/users/${other.id}`, admin)).status).toBe(200);
    const [{ n }] = await api.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'support.read' AND target_id = $1`,
      [other.id],
    );
    expect(n).toBe(1);

    // The job's event stream is a read of the job too (already on the record in this window).
    await api.app.get<Redis>(REDIS).del(`admin:read:${admin.id}:job:${job.id}`);
    const server = api.app.getHttpServer();
    if (!server.listening) await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.address() as { port: number };
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/v1/ai/jobs/${job.id}/events`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    controller.abort();
    expect((await reads()).filter((r) => r.details.resource === 'job')).toHaveLength(3);
  });

  it("puts an admin's searches across users on the record (support.search: which list, its filters), once per search per window, its pages aside", async () => {
    const searches = () =>
      api.db.query(
        `SELECT target_type, target_id, details FROM audit_events
          WHERE action = 'support.search' AND actor_id = $1 ORDER BY seq`,
        [admin.id],
      ) as Promise<
        Array<{
          target_type: null;
          target_id: null;
          details: { resource: string; filters: object };
        }>
      >;
    const before = (await searches()).length;
    const get = (path: string) =>
      api
        .http()
        .get(path)
        .set(...bearer(admin.accessToken));
    const fragment = `srch${Date.now()}`;
    await newUser(api, `${fragment}-a`);
    await newUser(api, `${fragment}-b`);
    const first = await get(`/v1/admin/users?email=${fragment}&limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    // Its next page, and the same search again: the one event already stands.
    expect(
      (await get(`/v1/admin/users?email=${fragment}&limit=1&cursor=${first.body.nextCursor}`))
        .status,
    ).toBe(200);
    expect((await get(`/v1/admin/users?limit=5&email=${fragment}`)).status).toBe(200);
    const owner = await newUser(api, 'searched-for');
    for (const path of [
      `/v1/admin/jobs?userId=${owner.id}&status=failed`,
      `/v1/admin/emails?userId=${owner.id}`,
      '/v1/admin/abuse/flags?status=open',
    ])
      expect((await get(path)).status).toBe(200);
    expect((await searches()).slice(before)).toEqual([
      {
        target_type: null,
        target_id: null,
        details: { resource: 'users', filters: { email: fragment } },
      },
      {
        target_type: null,
        target_id: null,
        details: { resource: 'jobs', filters: { userId: owner.id, status: 'failed' } },
      },
      {
        target_type: null,
        target_id: null,
        details: { resource: 'emails', filters: { userId: owner.id } },
      },
      {
        target_type: null,
        target_id: null,
        details: { resource: 'abuse-flags', filters: { status: 'open' } },
      },
    ]);
  });

  it('refuses an admin banning, demoting, adjusting or reprioritising themself, and removing the last admin', async () => {
    const self = await newAdmin(api);
    // The own id as typed, and in upper case (the same uuid to PostgreSQL).
    for (const id of [self.id, self.id.toUpperCase()]) {
      const tier = await api
        .http()
        .put(`/v1/admin/users/${id}/priority-tier`)
        .set(...bearer(self.accessToken))
        .send({ priorityTier: 'high', reason: 'mine first' });
      expect(tier.status).toBe(403);
      expect(tier.body.error).toBe('An admin cannot change the priority tier of their own account');
      for (const [path, body] of [
        [`/v1/admin/users/${id}/ban`, { reason: 'oops' }],
        [`/v1/admin/users/${id}/demote`, { reason: 'oops' }],
        [`/v1/admin/users/${id}/credits`, { delta: 5, reference: randomUUID(), reason: 'mine' }],
      ] as const) {
        const res = await api
          .http()
          .post(path)
          .set(...bearer(self.accessToken))
          .send(body);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
    }
    const [after] = await api.db.query(
      `SELECT u.priority_tier, u.role, u.status, a.balance::int AS balance
         FROM users u JOIN credit_accounts a ON a.user_id = u.id WHERE u.id = $1`,
      [self.id],
    );
    expect(after).toMatchObject({ priority_tier: 'normal', role: 'admin', status: 'active' });
    expect(after.balance).toBe(3);
    // Every refusal is on the record under the id in its one form.
    const refused = await api.db.query(
      `SELECT DISTINCT target_id FROM audit_events WHERE actor_id = $1 AND outcome = 'failed'`,
      [self.id],
    );
    expect(refused).toEqual([{ target_id: self.id }]);
  });

  it('refuses an admin dismissing an abuse flag on themself, or retrying their own job free of charge', async () => {
    const self = await newAdmin(api);
    const flagId = await openFlag(api, self);
    const jobId = await failedJob(api, self);
    const resolve = await api
      .http()
      .post(`/v1/admin/abuse/flags/${flagId}/resolve`)
      .set(...bearer(self.accessToken))
      .send({ resolution: 'dismissed', note: 'not me' });
    expect(resolve.status).toBe(403);
    expect(resolve.body.error).toBe('An admin cannot resolve an abuse flag on their own account');
    const retry = await api
      .http()
      .post(`/v1/admin/jobs/${jobId}/retry`)
      .set(...bearer(self.accessToken))
      .send({ payer: 'free', reason: 'on the house' });
    expect(retry.status).toBe(403);
    expect(retry.body.error).toBe(
      'An admin cannot retry free of charge a job of their own account',
    );
    // Nothing changed: the flag open, the tier still low, no grant, no new job.
    const [flag] = await api.db.query('SELECT status FROM abuse_flags WHERE id = $1', [flagId]);
    expect(flag.status).toBe('open');
    const [user] = await api.db.query('SELECT priority_tier FROM users WHERE id = $1', [self.id]);
    expect(user.priority_tier).toBe('low');
    const retries = await api.db.query('SELECT id FROM ai_jobs WHERE retry_of = $1', [jobId]);
    expect(retries).toEqual([]);
    const grants = await api.db.query(`SELECT id FROM credit_entries WHERE reference = $1`, [
      `free-retry:${jobId}`,
    ]);
    expect(grants).toEqual([]);
    // Both refusals are on the record.
    const refused = await api.db.query(
      `SELECT action FROM audit_events WHERE actor_id = $1 AND outcome = 'failed' ORDER BY seq`,
      [self.id],
    );
    expect(refused.map((row: { action: string }) => row.action)).toEqual([
      'abuse.flag.resolve',
      'job.retry',
    ]);
    // Another admin may do either.
    const other = await newAdmin(api);
    const dismissed = await api
      .http()
      .post(`/v1/admin/abuse/flags/${flagId}/resolve`)
      .set(...bearer(other.accessToken))
      .send({ resolution: 'dismissed', note: 'a shared office network' });
    expect(dismissed.status).toBe(200);
    const free = await api
      .http()
      .post(`/v1/admin/jobs/${jobId}/retry`)
      .set(...bearer(other.accessToken))
      .send({ payer: 'free', reason: 'on the house' });
    expect(free.status).toBe(201);
  });

  it('keeps the last admin when two admins demote each other at once', async () => {
    const a = await newAdmin(api);
    const b = await newAdmin(api);
    const others = (await api.db.query(
      `SELECT id FROM users WHERE role = 'admin' AND id <> ALL($1::uuid[])`,
      [[a.id, b.id]],
    )) as Array<{ id: string }>;
    await api.db.query(`UPDATE users SET role = 'user' WHERE id = ANY($1::uuid[])`, [
      others.map((o) => o.id),
    ]);
    try {
      const [ab, ba] = await Promise.all([
        api
          .http()
          .post(`/v1/admin/users/${b.id}/demote`)
          .set(...bearer(a.accessToken))
          .send({ reason: 'rotation one' }),
        api
          .http()
          .post(`/v1/admin/users/${a.id}/demote`)
          .set(...bearer(b.accessToken))
          .send({ reason: 'rotation two' }),
      ]);
      // One wins; the other is refused (the last admin stays, or the loser is no longer an admin).
      expect([ab.status, ba.status].sort()).toEqual([200, expect.any(Number)]);
      expect([403, 409]).toContain([ab.status, ba.status].find((s) => s !== 200));
      const left = await api.db.query(
        `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND id = ANY($1::uuid[])`,
        [[a.id, b.id]],
      );
      expect(left[0].n).toBe(1);
    } finally {
      await api.db.query(`UPDATE users SET role = 'admin' WHERE id = ANY($1::uuid[])`, [
        others.map((o) => o.id),
      ]);
    }
  });

  it('records racing pauses and resumes in the order they took effect: each one starts where the last left the queue', async () => {
    const change = (what: 'pause' | 'resume') =>
      api
        .http()
        .post(`/v1/admin/queues/${what}`)
        .set(...bearer(admin.accessToken))
        .send({ reason: `race ${what}` });
    const since = (
      (await api.db.query(`SELECT max(seq)::int AS seq FROM audit_events`)) as Array<{
        seq: number | null;
      }>
    )[0]?.seq;
    for (let round = 0; round < 12; round += 1) {
      const answers = await Promise.all([change('pause'), change('resume'), change('pause')]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    }
    const events = (await api.db.query(
      `SELECT action, before, after FROM audit_events
        WHERE seq > $1 AND action IN ('queue.pause', 'queue.resume') ORDER BY seq`,
      [since ?? 0],
    )) as Array<{ action: string; before: { paused: boolean }; after: { paused: boolean } }>;
    expect(events).toHaveLength(36);
    for (const [index, event] of events.entries()) {
      expect([event.action, event.after.paused]).toEqual([
        event.action,
        event.action === 'queue.pause',
      ]);
      const previous = events[index - 1];
      if (previous) expect(event.before.paused).toBe(previous.after.paused);
    }
    const last = events[events.length - 1];
    const stats = await api
      .http()
      .get('/v1/admin/queues')
      .set(...bearer(admin.accessToken));
    expect(stats.body.paused).toBe(last?.after.paused);
    await change('resume').expect(200);
  });

  it('ban ends every session, cancels and refunds queued jobs, and leaves the ledger clean', async () => {
    const user = await newUser(api);
    await fund(api, user, 10);
    const jobs: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await submit(api, user, { operation: 'generate', params: { prompt: `r${i}` } });
      expect(res.status).toBe(202);
      jobs.push(res.body.id);
    }
    const res = await api
      .http()
      .post(`/v1/admin/users/${user.id}/ban`)
      .set(...bearer(admin.accessToken))
      .send({ reason: 'chargeback fraud' });
    expect(res.status).toBe(200);
    expect(res.body.canceledJobs.sort()).toEqual([...jobs].sort());
    expect(res.body.sessionsEnded).toBeGreaterThanOrEqual(1);
    const rows = await jobRows(api, jobs);
    expect(rows.map((r) => [r.status, r.hold_status])).toEqual([
      ['canceled', 'voided'],
      ['canceled', 'voided'],
    ]);
    const account = await api.db.query(
      'SELECT balance::int AS balance, reserved::int AS reserved FROM credit_accounts WHERE user_id = $1',
      [user.id],
    );
    expect(account[0]).toEqual({ balance: 13, reserved: 0 });
    await expectLedgerClean(api);
    const verify = await api
      .http()
      .get('/v1/admin/ledger/verify')
      .set(...bearer(admin.accessToken));
    expect(verify.body.ok).toBe(true);
    const next = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(next.status).toBe(403);
    expect(next.body.code).toBe('ACCOUNT_BANNED');
  });

  it("runs a nested action's after-commit work only once the outermost action has committed, none of it when that rolls back, and none of a failed nested action's writes", async () => {
    const actions = api.app.get(AdminActions);
    const actor: AuditActor = {
      actorId: admin.id,
      actorEmail: admin.email,
      ip: '127.0.0.1',
      userAgent: 'jest',
      requestId: `nested-${randomUUID()}`,
    };
    const committed = (action: string) =>
      api.db
        .query(
          `SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1 AND action = $2 AND outcome = 'succeeded'`,
          [actor.requestId, action],
        )
        .then(([row]) => (row as { n: number }).n);
    const seen: string[] = [];
    const inner = (name: string) =>
      actions.run(actor, { action: name, targetType: 'test', targetId: name }, async () => ({
        result: name,
        before: {},
        after: {},
        // What this callback sees from another connection: both events, if the outer has committed.
        afterCommit: async () => {
          seen.push(
            `${name}: inner ${await committed(name)}, outer ${await committed('test.outer')}`,
          );
        },
        undo: async () => {
          seen.push(`${name}: undone`);
        },
      }));

    await actions.run(
      actor,
      { action: 'test.outer', targetType: 'test', targetId: 'outer' },
      async () => {
        await inner('test.inner');
        return { result: null, before: {}, after: {} };
      },
    );
    expect(seen).toEqual(['test.inner: inner 1, outer 1']);

    seen.length = 0;
    await expect(
      actions.run(
        actor,
        { action: 'test.outer-fails', targetType: 'test', targetId: 'outer' },
        async () => {
          await inner('test.inner-rolled-back');
          throw new Error('the outer change fails after the inner one');
        },
      ),
    ).rejects.toThrow(/outer change fails/);
    expect(seen).toEqual(['test.inner-rolled-back: undone']);
    expect(await committed('test.inner-rolled-back')).toBe(0);

    // An inner action that fails after a write, its error caught by the outer change, which goes
    // on and commits: none of the inner's writes stand (a savepoint), its failed event is written
    // after the outer's, and a throwing after-commit step does not stop the others.
    const target = await newUser(api);
    const txHost = api.app.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost);
    seen.length = 0;
    await actions.run(
      actor,
      { action: 'test.outer-goes-on', targetType: 'test', targetId: 'outer' },
      async () => {
        await actions
          .run(
            actor,
            { action: 'test.inner-fails', targetType: 'user', targetId: target.id },
            async () => {
              await txHost.tx.query(`UPDATE users SET priority_tier = 'high' WHERE id = $1`, [
                target.id,
              ]);
              throw new Error('the inner change fails after its write');
            },
          )
          .catch(() => undefined);
        await actions.run(
          actor,
          { action: 'test.inner-ok', targetType: 'test', targetId: 'x' },
          async () => ({
            result: null,
            before: {},
            after: {},
            afterCommit: () => {
              throw new Error('an after-commit step that throws');
            },
          }),
        );
        return {
          result: null,
          before: {},
          after: {},
          afterCommit: () => void seen.push('outer after commit'),
        };
      },
    );
    expect(seen).toEqual(['outer after commit']);
    const [{ priority_tier: tier }] = await api.db.query(
      'SELECT priority_tier FROM users WHERE id = $1',
      [target.id],
    );
    expect(tier).toBe('normal');
    const order = await api.db.query(
      `SELECT action, outcome FROM audit_events WHERE request_id = $1 AND action IN
         ('test.outer-goes-on', 'test.inner-fails', 'test.inner-ok') ORDER BY seq`,
      [actor.requestId],
    );
    expect(order).toEqual([
      { action: 'test.inner-ok', outcome: 'succeeded' },
      { action: 'test.outer-goes-on', outcome: 'succeeded' },
      { action: 'test.inner-fails', outcome: 'failed' },
    ]);
  });

  it('a new price applies to holds made after it; holds made before keep their snapshot', async () => {
    const user = await newUser(api);
    await fund(api, user, 50);
    const before = await submit(api, user, { operation: 'generate', params: { prompt: 'a' } });
    const oldPrice = before.body.cost as number;
    const set = await api
      .http()
      .put('/v1/admin/prices/generate')
      .set(...bearer(admin.accessToken))
      .send({ credits: oldPrice + 4, reason: 'new model' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ operation: 'generate', credits: oldPrice + 4 });
    const after = await submit(api, user, { operation: 'generate', params: { prompt: 'b' } });
    const holds = await api.db.query(
      `SELECT j.id, h.amount::int AS amount, h.unit_price::int AS unit FROM ai_jobs j JOIN credit_holds h ON h.id = j.hold_id
        WHERE j.id = ANY($1::uuid[])`,
      [[before.body.id, after.body.id]],
    );
    const amount = (id: string) => holds.find((h: { id: string }) => h.id === id)?.amount;
    expect(amount(before.body.id)).toBe(oldPrice);
    expect(amount(after.body.id)).toBe(oldPrice + 4);
    const log = await api
      .http()
      .get('/v1/admin/audit?action=price.set&targetId=generate')
      .set(...bearer(admin.accessToken));
    expect(log.body.data[0]).toMatchObject({
      before: { credits: oldPrice },
      after: { credits: oldPrice + 4 },
    });
    await api
      .http()
      .put('/v1/admin/prices/generate')
      .set(...bearer(admin.accessToken))
      .send({ credits: oldPrice, reason: 'back' });
  });

  it('prices a batch at one moment: a price change made while it is being created waits for it', async () => {
    const user = await newUser(api);
    const images = [];
    for (let i = 0; i < 2; i += 1)
      images.push((await upload(api, user, await smallPng(40 + i, 30))).body.id as string);
    const { amount: price } = await api.app.get(LedgerService).quote('upscale');
    await fund(api, user, 2 * price);
    // The account held elsewhere: the batch stops after its price check, before its holds.
    const blocker = new Client({ connectionString: own.url });
    await blocker.connect();
    let released = false;
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM credit_accounts WHERE user_id = $1 FOR UPDATE', [user.id]);
      const batch = api
        .http()
        .post('/v1/batches')
        .set(...bearer(user.accessToken))
        .send({ name: 'at one price', operation: 'upscale', params: {}, inputImageIds: images })
        .then((res) => res);
      const waiting = async (pattern: string) =>
        (
          (await api.db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE wait_event_type = 'Lock' AND query LIKE $1`,
            [pattern],
          )) as Array<{ n: number }>
        )[0]?.n ?? 0;
      for (let i = 0; (await waiting('%credit_accounts%')) === 0; i += 1) {
        if (i > 200) throw new Error('the batch never reached the account');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // The price doubles meanwhile: the change waits for the batch.
      const change = api
        .http()
        .put('/v1/admin/prices/upscale')
        .set(...bearer(admin.accessToken))
        .send({ credits: 2 * price, reason: 'during a batch' })
        .then((res) => res);
      for (let i = 0; (await waiting('%operation_prices%')) === 0; i += 1) {
        if (i > 200) throw new Error('the price change did not wait for the batch');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await blocker.query('COMMIT');
      released = true;
      const created = await batch;
      expect(created.status).toBe(201);
      expect((await change).status).toBe(200);
      const holds = await api.db.query(
        `SELECT h.amount::int AS amount FROM ai_jobs j JOIN credit_holds h ON h.id = j.hold_id
          WHERE j.batch_id = $1`,
        [created.body.id],
      );
      expect(holds).toEqual([{ amount: price }, { amount: price }]);
    } finally {
      if (!released) await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
      await api
        .http()
        .put('/v1/admin/prices/upscale')
        .set(...bearer(admin.accessToken))
        .send({ credits: price, reason: 'back' });
    }
  });

  it('retries a failed job paid by the user, or free of charge, with the choice in the audit event', async () => {
    const paid = await failedJob(api);
    const res = await api
      .http()
      .post(`/v1/admin/jobs/${paid}/retry`)
      .set(...bearer(admin.accessToken))
      .send({ payer: 'user', reason: 'transient' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(paid);
    expect(res.body.status).toBe('queued');
    const [event] = (
      await api
        .http()
        .get(`/v1/admin/audit?action=job.retry&targetId=${paid}`)
        .set(...bearer(admin.accessToken))
    ).body.data;
    expect(event.details).toEqual({ payer: 'user', granted: 0 });
    const detail = await api
      .http()
      .get(`/v1/admin/jobs/${paid}`)
      .set(...bearer(admin.accessToken));
    expect(detail.body).toMatchObject({
      status: 'failed',
      rawErrorMessage: 'upstream 500: raw detail',
    });
    await expectLedgerClean(api);
  });

  it('retries a failed job once: concurrent retries make one job, the others are told which', async () => {
    const failed = await failedJob(api);
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        api
          .http()
          .post(`/v1/admin/jobs/${failed}/retry`)
          .set(...bearer(admin.accessToken))
          .send({ payer: 'free', reason: 'provider outage' }),
      ),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409]);
    const made = answers.find((res) => res.status === 201)?.body;
    expect(made).toMatchObject({ retryOf: failed, status: 'queued' });
    for (const res of answers.filter((r) => r.status === 409))
      expect(res.body).toMatchObject({
        code: 'CONFLICT',
        error: `This job was already retried as job ${made.id}`,
        details: { retryId: made.id },
      });
    const retries = await api.db.query('SELECT id FROM ai_jobs WHERE retry_of = $1', [failed]);
    expect(retries).toEqual([{ id: made.id }]);
    // The console sees the link both ways, and offers no second retry.
    const detail = await api
      .http()
      .get(`/v1/admin/jobs/${failed}`)
      .set(...bearer(admin.accessToken));
    expect(detail.body).toMatchObject({ retryOf: null, retriedAs: made.id });
    const listed = await api
      .http()
      .get(`/v1/admin/jobs?status=failed&userId=${made.userId}`)
      .set(...bearer(admin.accessToken));
    // With the owner's email, so the console names the seller, not an id.
    const [owner] = await api.db.query('SELECT email FROM users WHERE id = $1', [made.userId]);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: failed, retriedAs: made.id, userEmail: owner.email }),
    ]);
    const grants = await api.db.query(
      `SELECT delta::int AS delta FROM credit_entries WHERE reference LIKE $1`,
      [`%free-retry:${failed}`],
    );
    expect(grants).toEqual([{ delta: made.cost }]);
    const events = (
      await api
        .http()
        .get(`/v1/admin/audit?action=job.retry&targetId=${failed}`)
        .set(...bearer(admin.accessToken))
    ).body.data as Array<{ outcome: string }>;
    expect(events.map((e) => e.outcome).sort()).toEqual(['failed', 'failed', 'succeeded']);
    await expectLedgerClean(api);
  });

  it("retries no banned user's job, even when the ban and the retry race", async () => {
    const ownerOf = async (jobId: string): Promise<string> =>
      (await api.db.query('SELECT user_id FROM ai_jobs WHERE id = $1', [jobId]))[0].user_id;
    const ban = (userId: string) =>
      api
        .http()
        .post(`/v1/admin/users/${userId}/ban`)
        .set(...bearer(admin.accessToken))
        .send({ reason: 'fraud' });
    const retry = (jobId: string) =>
      api
        .http()
        .post(`/v1/admin/jobs/${jobId}/retry`)
        .set(...bearer(admin.accessToken))
        .send({ payer: 'user', reason: 'transient' });

    const banned = await failedJob(api);
    expect((await ban(await ownerOf(banned))).status).toBe(200);
    const refused = await retry(banned);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(
      "The job's owner is banned: unban them before retrying their job",
    );

    for (let round = 0; round < 3; round += 1) {
      const failed = await failedJob(api);
      const owner = await ownerOf(failed);
      const [banned, retried] = await Promise.all([ban(owner), retry(failed)]);
      expect(banned.status).toBe(200);
      expect([201, 409]).toContain(retried.status);
      const open = await api.db.query(
        `SELECT id FROM ai_jobs WHERE user_id = $1 AND status IN ('queued', 'running')`,
        [owner],
      );
      expect(open).toEqual([]);
    }
    await expectLedgerClean(api);
  });

  it('a free retry that does not succeed takes its grant back; one that succeeds keeps it', async () => {
    const ledger = api.app.get(LedgerService);
    const scope = api.app.get(RowScope);
    const balanceOf = async (userId: string) =>
      (await scope.allUsers(() => ledger.balance(userId))).balance;
    const retried = async () => {
      const failed = await failedJob(api);
      const [{ user_id: userId }] = await api.db.query(
        'SELECT user_id FROM ai_jobs WHERE id = $1',
        [failed],
      );
      const before = await balanceOf(userId);
      const res = await api
        .http()
        .post(`/v1/admin/jobs/${failed}/retry`)
        .set(...bearer(admin.accessToken))
        .send({ payer: 'free', reason: 'provider outage' });
      expect(res.status).toBe(201);
      const [{ hold_id: holdId }] = await api.db.query(
        'SELECT hold_id FROM ai_jobs WHERE id = $1',
        [res.body.id],
      );
      return { userId, before, holdId: holdId as string, cost: res.body.cost as number };
    };

    const lost = await retried();
    expect(await balanceOf(lost.userId)).toBe(lost.before + lost.cost);
    await scope.allUsers(() => ledger.refund(lost.holdId, 'provider failed again'));
    expect(await balanceOf(lost.userId)).toBe(lost.before);
    const history = await api.db.query(
      `SELECT kind, delta::int AS delta, reference FROM credit_entries
        WHERE user_id = $1 AND kind = 'grant' AND reference LIKE '%free-retry:%' ORDER BY id`,
      [lost.userId],
    );
    expect(history.map((e: { delta: number }) => e.delta)).toEqual([lost.cost, -lost.cost]);
    // A second release changes nothing.
    await scope.allUsers(() => ledger.refund(lost.holdId, 'again'));
    expect(await balanceOf(lost.userId)).toBe(lost.before);

    const expired = await retried();
    await scope.allUsers(() => ledger.expire(expired.holdId));
    expect(await balanceOf(expired.userId)).toBe(expired.before);

    const kept = await retried();
    await scope.allUsers(() => ledger.confirm(kept.holdId));
    expect(await balanceOf(kept.userId)).toBe(kept.before);
    await expectLedgerClean(api);
  });

  it('searches users, jobs and the audit log, exports CSV, and verifies the chain', async () => {
    const user = await newUser(api, 'findme');
    const search = await api
      .http()
      .get(`/v1/admin/users?email=findme&status=active&role=user&limit=100`)
      .set(...bearer(admin.accessToken));
    expect(search.body.data.map((u: { id: string }) => u.id)).toContain(user.id);
    const detail = await api
      .http()
      .get(`/v1/admin/users/${user.id}`)
      .set(...bearer(admin.accessToken));
    expect(detail.body).toMatchObject({ user: { id: user.id }, balance: { balance: 3 } });
    expect(detail.body.sessions.length).toBeGreaterThanOrEqual(1);
    const jobs = await api
      .http()
      .get('/v1/admin/jobs?status=canceled')
      .set(...bearer(admin.accessToken));
    expect(jobs.status).toBe(200);
    expect(jobs.body.data.every((j: { status: string }) => j.status === 'canceled')).toBe(true);
    // What one admin call recorded, by its request id; another admin's newer event about the
    // same target is not it.
    const mine = `console-${randomUUID()}`;
    for (const [requestId, tier] of [
      [mine, 'high'],
      [`other-${randomUUID()}`, 'low'],
    ] as const)
      await api
        .http()
        .put(`/v1/admin/users/${user.id}/priority-tier`)
        .set(...bearer(admin.accessToken))
        .set('X-Request-Id', requestId)
        .send({ priorityTier: tier, reason: 'by request id' })
        .expect(200);
    const byRequest = await api
      .http()
      .get(`/v1/admin/audit?targetId=${user.id}&requestId=${mine}`)
      .set(...bearer(admin.accessToken));
    expect(byRequest.status).toBe(200);
    expect(
      byRequest.body.data.map((e: { requestId: string; after: unknown }) => [e.requestId, e.after]),
    ).toEqual([[mine, { priorityTier: 'high' }]]);
    const csv = await api
      .http()
      .get('/v1/admin/audit/export?action=credits.adjust')
      .set(...bearer(admin.accessToken));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,occurredAt,action,outcome/);
    expect(lines.slice(1).every((line) => line.includes('credits.adjust'))).toBe(true);
    // It pages nothing: a limit or a cursor is refused, not silently ignored.
    for (const extra of ['limit=2', 'cursor=zz']) {
      const paged = await api
        .http()
        .get(`/v1/admin/audit/export?action=credits.adjust&${extra}`)
        .set(...bearer(admin.accessToken));
      expect({ extra, status: paged.status }).toEqual({ extra, status: 400 });
    }
    const queues = await api
      .http()
      .get('/v1/admin/queues')
      .set(...bearer(admin.accessToken));
    expect(queues.body).toMatchObject({ name: 'ai-jobs', paused: false, workers: [] });
    const summary = await api
      .http()
      .get('/v1/admin/ledger/summary')
      .set(...bearer(admin.accessToken));
    expect(summary.body.granted).toBeGreaterThan(0);
    const verify = await api
      .http()
      .get('/v1/admin/audit/verify')
      .set(...bearer(admin.accessToken));
    expect(verify.body).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(verify.body.events).toBeGreaterThan(10);
  });
});
