-- bench:lists: large, constraint-consistent volumes for the list and sum endpoints, written as
-- the worker and the CLI would (app.all_users on). {{USERS}} users, of whom five heavy sellers
-- ("heavy1@bench.test" .. "heavy5@bench.test") have {{HEAVY_JOBS}} jobs each; {{JOBS}} jobs in all
-- with their holds, the ledger entries they imply, their output files and uploads, emails and
-- abuse flags (bench/lists.ts then chains the audit events and vacuums). Every seeded user has
-- the password hash of the bench's admin ({{ADMIN_EMAIL}}).
SET app.all_users = 'on';
SET synchronous_commit = off;
SET work_mem = '64MB';

CREATE TEMP TABLE pw AS SELECT password_hash FROM users WHERE email = '{{ADMIN_EMAIL}}';
INSERT INTO users (id, email, password_hash, role, status, created_at, updated_at, priority_tier,
                   email_verified_at, language)
SELECT gen_random_uuid(),
       CASE WHEN g <= 5 THEN 'heavy' || g || '@bench.test' ELSE 'seller' || g || '@bench.test' END,
       (SELECT password_hash FROM pw), 'user', 'active',
       now() - interval '400 days' + g * interval '1 second', now() - interval '400 days',
       'normal', now() - interval '400 days', 'en'
  FROM generate_series(1, {{USERS}}) g;

CREATE TEMP TABLE u AS
SELECT id, created_at, row_number() OVER (ORDER BY created_at, id) AS n
  FROM users WHERE email LIKE '%@bench.test';

-- Jobs: the heavy sellers' first, the rest spread over the other users (most have a few).
CREATE TEMP TABLE j AS
SELECT gen_random_uuid() AS id, u.id AS user_id, now() - random() * interval '360 days' AS created_at
  FROM u CROSS JOIN generate_series(1, {{HEAVY_JOBS}}) WHERE u.n <= 5;
INSERT INTO j
SELECT gen_random_uuid(), u.id, now() - random() * interval '360 days'
  FROM (SELECT 6 + floor(power(random(), 2) * ({{USERS}} - 5))::int AS n
          FROM generate_series(1, GREATEST({{JOBS}} - 5 * {{HEAVY_JOBS}}, 0))) pick
  JOIN u USING (n);
ALTER TABLE j ADD COLUMN hold_id uuid, ADD COLUMN operation varchar, ADD COLUMN status varchar,
  ADD COLUMN cost int;
UPDATE j SET hold_id = gen_random_uuid(),
             operation = (ARRAY['generate', 'edit', 'remove-background', 'upscale'])[1 + floor(r * 4)::int],
             status = CASE WHEN r2 < 0.90 THEN 'succeeded' WHEN r2 < 0.96 THEN 'failed' ELSE 'canceled' END,
             cost = 1
  FROM (SELECT id AS jid, random() AS r, random() AS r2 FROM j) x WHERE x.jid = j.id;

INSERT INTO credit_holds (id, user_id, amount, operation, unit_price, quantity, reference, status,
                          reason, expires_at, created_at, settled_at)
SELECT hold_id, user_id, cost, operation, cost, 1, id::text,
       CASE status WHEN 'succeeded' THEN 'posted' ELSE 'voided' END,
       CASE status WHEN 'succeeded' THEN NULL WHEN 'failed' THEN 'job failed' ELSE 'job canceled' END,
       created_at + interval '1 hour', created_at, created_at + interval '20 seconds'
  FROM j;

INSERT INTO ai_jobs (id, user_id, operation, params, status, priority, cost, hold_id, attempts,
                     provider, error_code, error_message, created_at, updated_at, started_at,
                     finished_at, cancel_requested_at)
SELECT id, user_id, operation, '{"prompt": "a ring on marble, soft daylight"}'::jsonb, status,
       'normal', cost, hold_id, 1, 'local',
       CASE status WHEN 'failed' THEN 'PROVIDER_ERROR' END,
       CASE status WHEN 'failed' THEN 'The provider failed' END,
       created_at, created_at + interval '20 seconds', created_at + interval '1 second',
       created_at + interval '20 seconds',
       CASE status WHEN 'canceled' THEN created_at + interval '5 seconds' END
  FROM j;

-- The ledger: a sign-up grant per user, a purchase before each job, the charge of each
-- succeeded one; balance_after is the running sum per user in id order.
CREATE TEMP TABLE e AS
SELECT id AS user_id, 3::bigint AS delta, 'grant'::varchar AS kind, NULL::uuid AS hold_id,
       'signup:' || id AS reference, created_at FROM u;
INSERT INTO e SELECT user_id, cost, 'purchase', NULL, 'topup:' || id, created_at - interval '1 second' FROM j;
INSERT INTO e SELECT user_id, -cost, 'charge', hold_id, 'charge:' || hold_id, created_at + interval '20 seconds'
  FROM j WHERE status = 'succeeded';
INSERT INTO credit_entries (id, user_id, delta, balance_after, kind, hold_id, reference, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, user_id, delta, SUM(delta) OVER (PARTITION BY user_id ORDER BY id), kind, hold_id, reference, created_at
  FROM (SELECT row_number() OVER (ORDER BY created_at, reference) AS id, * FROM e) x;
SELECT setval(pg_get_serial_sequence('credit_entries', 'id'), (SELECT max(id) FROM credit_entries));
UPDATE credit_accounts a SET balance = s.total, reserved = 0
  FROM (SELECT user_id, SUM(delta) AS total FROM credit_entries GROUP BY user_id) s
 WHERE s.user_id = a.user_id;

-- Files: the output of each succeeded job, and an upload for one job in six.
INSERT INTO files (id, user_id, kind, job_id, storage_key, content_type, bytes, width, height, created_at)
SELECT gen_random_uuid(), user_id, 'output', id, 'outputs/' || user_id || '/' || id || '.png',
       'image/png', 30000 + (random() * 20000)::int, 1024, 1024, created_at + interval '20 seconds'
  FROM j WHERE status = 'succeeded';
INSERT INTO files (id, user_id, kind, storage_key, content_type, bytes, width, height, created_at)
SELECT gen_random_uuid(), user_id, 'upload', 'uploads/' || user_id || '/' || id || '.jpg',
       'image/jpeg', 30000 + (random() * 20000)::int, 2048, 1536, created_at - interval '1 minute'
  FROM j WHERE random() < 1.0 / 6;

-- Emails: one in three jobs' worth, mostly sent.
INSERT INTO email_messages (id, user_id, to_address, template, language, subject, status, headers,
                            provider_id, attempts, created_at, updated_at, sent_at)
SELECT gen_random_uuid(), usr.id, usr.email,
       (ARRAY['welcome', 'verify-email', 'password-reset', 'job-failed', 'batch-finished', 'low-credits'])[1 + g % 6],
       'en', 'Your Jewelshot update',
       CASE WHEN r < 0.95 THEN 'sent' WHEN r < 0.97 THEN 'rate_limited' WHEN r < 0.99 THEN 'suppressed' ELSE 'failed' END,
       '{}'::jsonb, 'msg_' || g, 1, ts, ts, CASE WHEN r < 0.95 THEN ts END
  FROM (SELECT g, random() AS r, 6 + floor(power(random(), 2) * ({{USERS}} - 5))::int AS n,
               now() - random() * interval '365 days' AS ts
          FROM generate_series(1, {{JOBS}} / 3) g) t
  JOIN u USING (n) JOIN users usr ON usr.id = u.id;

-- Abuse flags, many of them created in one transaction each day (they share its now()).
INSERT INTO abuse_flags (id, user_id, status, score, signals, previous_tier, created_at, updated_at)
SELECT gen_random_uuid(), u.id, 'open', 80, '[]'::jsonb, 'normal',
       date_trunc('day', now()) - (u.n % 30) * interval '1 day' + interval '0.123456 seconds', now()
  FROM u WHERE u.n > 5 AND u.n % 10 = 0;

