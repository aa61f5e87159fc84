import { LedgerService } from '@jewelshot/credit-ledger';
import { API_DB_ROLE } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { uniqueEmail } from '../support/factories';

/** Sign-up publishes UserRegistered; the ledger's in-transaction subscriber grants the credits. */
describe('sign-up through the outbox', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({ SIGNUP_CREDITS: '3' });
  });

  afterAll(async () => {
    await api.close();
  });

  const registeredEvents = async (userId: string) =>
    (await api.db.query(
      `SELECT id, name, payload FROM domain_events
        WHERE name = 'identity.user-registered' AND payload->>'userId' = $1`,
      [userId],
    )) as Array<{ id: string; name: string; payload: Record<string, unknown> }>;

  it('writes UserRegistered with the user and grants the credits in the same transaction', async () => {
    const email = uniqueEmail('event');
    const res = await api
      .http()
      .post('/v1/auth/register')
      .set('X-Device-Id', 'device-0123456789')
      .send({ email, password: 'event-password' });
    expect(res.status).toBe(201);
    const userId = res.body.user.id as string;
    const events = await registeredEvents(userId);
    expect(events).toHaveLength(1);
    // The client's address and device id ride along for the abuse signals (docs/abuse.md).
    expect(events[0]?.payload).toEqual({
      userId,
      email,
      address: '127.0.0.1',
      deviceId: 'device-0123456789',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const [account] = (await api.db.query(
      `SELECT balance FROM credit_accounts WHERE user_id = $1`,
      [userId],
    )) as Array<{ balance: string }>;
    expect(Number(account?.balance)).toBe(3);
  });

  it('leaves neither user nor event when the in-transaction subscriber fails', async () => {
    const email = uniqueEmail('event-atomic');
    const grant = jest
      .spyOn(api.app.get(LedgerService), 'grant')
      .mockRejectedValueOnce(new Error('ledger unavailable'));
    try {
      const res = await api
        .http()
        .post('/v1/auth/register')
        .send({ email, password: 'event-password' });
      expect(res.status).toBe(500);
    } finally {
      grant.mockRestore();
    }
    expect(await api.db.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    const events = (await api.db.query(
      `SELECT id FROM domain_events WHERE payload->>'email' = $1`,
      [email],
    )) as unknown[];
    expect(events).toEqual([]);
  });

  it("lets the API's role write events but not read them", async () => {
    const runner = api.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SET ROLE ${API_DB_ROLE}`);
      await expect(runner.query(`SELECT id FROM domain_events LIMIT 1`)).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await runner.query('RESET ROLE').catch(() => undefined);
      await runner.release();
    }
  });
});
