-- Calls by month, partitioned or not: what a date-filtered list page and a month's retention
-- cost at 10M calls. Builds its own tables in the schema partition_trial (dropped first), so
-- it can run in the benchmark's volume database without touching the portal's tables:
--     psql "$BENCH_DATABASE_URL" -f apps/core/benchmarking/partitioning.sql
-- The tables carry what the lists filter and sort on, and a row as wide as a call's.
\set rows 10000000
\timing on
DROP SCHEMA IF EXISTS partition_trial CASCADE;
CREATE SCHEMA partition_trial;
SET search_path = partition_trial;

CREATE TABLE calls_plain (
    id bigint PRIMARY KEY,
    client_id int NOT NULL,
    occurred_at timestamptz NOT NULL,
    status text NOT NULL,
    title text NOT NULL,
    body text NOT NULL
);
-- 24 months up to 2026-12-01, two clients, in arrival order (as a telephony feed loads them).
INSERT INTO calls_plain
SELECT n, 1 + (n % 2), timestamptz '2024-12-01' + ((n - 1) * (interval '730 days' / :rows)),
       (ARRAY['new', 'in_progress', 'resolved', 'closed'])[1 + n % 4],
       'Customer asks about invoice #' || n, repeat('x', 300)
FROM generate_series(1, :rows) AS n;
CREATE INDEX calls_plain_cli_occ ON calls_plain (client_id, occurred_at, id);
ANALYZE calls_plain;

CREATE TABLE calls_monthly (LIKE calls_plain) PARTITION BY RANGE (occurred_at);
DO $$
DECLARE month date := date '2024-12-01';
BEGIN
    WHILE month < date '2026-12-01' LOOP
        EXECUTE format(
            'CREATE TABLE calls_monthly_%s PARTITION OF calls_monthly FOR VALUES FROM (%L) TO (%L)',
            to_char(month, 'YYYYMM'), month, month + interval '1 month');
        month := month + interval '1 month';
    END LOOP;
END $$;
INSERT INTO calls_monthly SELECT * FROM calls_plain;
CREATE INDEX calls_monthly_cli_occ ON calls_monthly (client_id, occurred_at, id);
ANALYZE calls_monthly;

\echo '== size'
SELECT pg_size_pretty(pg_total_relation_size('calls_plain')) AS plain,
       (SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits
        WHERE inhparent = 'calls_monthly'::regclass) AS monthly;

\echo '== list page, one client, one month, newest first (26 rows: a page and the next cursor)'
\o /dev/null
SELECT id, occurred_at, status, title FROM calls_plain
WHERE client_id = 1 AND occurred_at >= '2026-03-01' AND occurred_at < '2026-04-01'
ORDER BY occurred_at DESC, id DESC LIMIT 26;
SELECT id, occurred_at, status, title FROM calls_plain
WHERE client_id = 1 AND occurred_at >= '2026-03-01' AND occurred_at < '2026-04-01'
ORDER BY occurred_at DESC, id DESC LIMIT 26;
SELECT id, occurred_at, status, title FROM calls_monthly
WHERE client_id = 1 AND occurred_at >= '2026-03-01' AND occurred_at < '2026-04-01'
ORDER BY occurred_at DESC, id DESC LIMIT 26;
SELECT id, occurred_at, status, title FROM calls_monthly
WHERE client_id = 1 AND occurred_at >= '2026-03-01' AND occurred_at < '2026-04-01'
ORDER BY occurred_at DESC, id DESC LIMIT 26;
\echo '== list page, one client, no date filter'
SELECT id, occurred_at, status, title FROM calls_plain WHERE client_id = 1
ORDER BY occurred_at DESC, id DESC LIMIT 26;
SELECT id, occurred_at, status, title FROM calls_monthly WHERE client_id = 1
ORDER BY occurred_at DESC, id DESC LIMIT 26;
\echo '== a page deep in a month (keyset: after a cursor)'
SELECT id, occurred_at, status, title FROM calls_plain
WHERE client_id = 1 AND (occurred_at, id) < ('2026-03-15', 0) AND occurred_at >= '2026-03-01'
ORDER BY occurred_at DESC, id DESC LIMIT 26;
SELECT id, occurred_at, status, title FROM calls_monthly
WHERE client_id = 1 AND (occurred_at, id) < ('2026-03-15', 0) AND occurred_at >= '2026-03-01'
ORDER BY occurred_at DESC, id DESC LIMIT 26;
\echo '== count of one client-month (a figure computed live)'
SELECT count(*) FROM calls_plain
WHERE client_id = 1 AND occurred_at >= '2026-03-01' AND occurred_at < '2026-04-01';
SELECT count(*) FROM calls_monthly
WHERE client_id = 1 AND occurred_at >= '2026-03-01' AND occurred_at < '2026-04-01';
\o
\echo '== retention: the oldest month goes'
BEGIN;
DELETE FROM calls_plain WHERE occurred_at < '2025-01-01';
ROLLBACK;
\echo '   (the same in batches of 10,000, as a retention job that must not hold locks long)'
DO $$
DECLARE gone int;
BEGIN
    LOOP
        DELETE FROM calls_plain WHERE id IN (
            SELECT id FROM calls_plain WHERE occurred_at < '2025-01-01' LIMIT 10000);
        GET DIAGNOSTICS gone = ROW_COUNT;
        EXIT WHEN gone = 0;
    END LOOP;
END $$;
VACUUM calls_plain;
ALTER TABLE calls_monthly DETACH PARTITION calls_monthly_202412;
DROP TABLE calls_monthly_202412;
\echo '== done: DROP SCHEMA partition_trial CASCADE; to remove the tables'
