-- Counts that outlive the rows: per-broadcast delivery counters and hourly outcomes kept
-- by the database itself, so reads never walk the per-recipient rows and retention may
-- delete them. Everything here is catalogue work or small tables: nothing scans or
-- rewrites deliveries, so the migration holds its locks for milliseconds on a year-old
-- database. Broadcasts made before it are counted afterwards by a leader job (see
-- store.CountOldBroadcasts), one broadcast per transaction.

-- The reason code a finished delivery is counted under. Writers set deliveries.reason
-- (migration 006) together with the status; rows finished without one (before 006, or
-- by an older replica during a rolling deploy) have only last_error's text, which is
-- mapped to the code loa's own texts meant, else 'legacy'. Pending and sent rows keep ''.
CREATE FUNCTION loa_delivery_reason(status text, reason text, last_error text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN status NOT IN ('failed', 'cancelled') OR reason <> '' THEN reason
        -- SubscriberGone stored the sender's code itself: blocked, chat_not_found, ...
        WHEN last_error ~ '^[a-z][a-z0-9_]*$' THEN last_error
        WHEN last_error IN ('broadcast cancelled', 'announcement cancelled') THEN 'broadcast_cancelled'
        WHEN last_error LIKE 'subscriber %' OR last_error LIKE 'migrated to supergroup %' THEN 'subscriber_gone'
        WHEN last_error LIKE 'gave up after %' THEN 'max_age'
        WHEN last_error LIKE 'nothing to send%' THEN 'rejected'
        -- broadcast.SendError's text: "<code> (<kind>): <detail>".
        WHEN last_error ~ '^[a-z][a-z0-9_]* \(' THEN substring(last_error FROM '^([a-z][a-z0-9_]*) \(')
        ELSE 'legacy'
    END
$$;

-- A broadcast's deliveries by status and reason. One logical count is spread over
-- shards (the writing session's backend pid modulo 16) and summed on read, so that the
-- senders of one broadcast, each recording an outcome on its own connection, do not
-- queue on one row. No foreign key, like deliveries: the counters outlive the rows.
CREATE TABLE delivery_counts (
    broadcast_id bigint   NOT NULL,
    status       text     NOT NULL,
    reason       text     NOT NULL,
    shard        smallint NOT NULL,
    n            bigint   NOT NULL,
    PRIMARY KEY (broadcast_id, status, reason, shard)
);

-- Messages sent and failed per UTC hour and channel, for the daily charts: hours are
-- summed into days of LOA_TIMEZONE on read (exact for zones on whole hours, such as
-- Asia/Ho_Chi_Minh). Sharded like delivery_counts; kept forever (24 rows a day a
-- channel and status).
CREATE TABLE delivery_hours (
    hour    timestamptz NOT NULL,
    channel text        NOT NULL,
    status  text        NOT NULL CHECK (status IN ('sent', 'failed')),
    shard   smallint    NOT NULL,
    n       bigint      NOT NULL,
    PRIMARY KEY (hour, channel, status, shard)
);

-- Kept in the same transaction as every write to deliveries, whoever writes: fan-out,
-- claims, outcomes, cancels, a subscriber gone. A statement's change is the rows it
-- left (NEW TABLE, +1 each) minus the rows it found (OLD TABLE, -1 each), grouped by
-- key; keys whose change is zero (a claim, a retry) write nothing. Rows are upserted in
-- key order so two statements lock shared counters in the same order. Deletes change
-- nothing: retention removes rows whose counts must stay.
CREATE FUNCTION loa_count_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_shard smallint := pg_backend_pid() % 16;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO delivery_counts AS c (broadcast_id, status, reason, shard, n)
        SELECT r.broadcast_id, r.status, loa_delivery_reason(r.status, r.reason, r.last_error), my_shard, count(*)
        FROM new_rows r GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (broadcast_id, status, reason, shard) DO UPDATE SET n = c.n + excluded.n;

        INSERT INTO delivery_hours AS h (hour, channel, status, shard, n)
        SELECT date_trunc('hour', coalesce(r.finished_at, now()), 'UTC'), r.channel, r.status, my_shard, count(*)
        FROM new_rows r WHERE r.status IN ('sent', 'failed') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (hour, channel, status, shard) DO UPDATE SET n = h.n + excluded.n;
        RETURN NULL;
    END IF;

    INSERT INTO delivery_counts AS c (broadcast_id, status, reason, shard, n)
    SELECT broadcast_id, status, reason, my_shard, sum(delta)
    FROM (
        SELECT r.broadcast_id, r.status, loa_delivery_reason(r.status, r.reason, r.last_error) AS reason, 1 AS delta
        FROM new_rows r
        UNION ALL
        SELECT r.broadcast_id, r.status, loa_delivery_reason(r.status, r.reason, r.last_error), -1
        FROM old_rows r
    ) x
    GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (broadcast_id, status, reason, shard) DO UPDATE SET n = c.n + excluded.n;

    INSERT INTO delivery_hours AS h (hour, channel, status, shard, n)
    SELECT hour, channel, status, my_shard, sum(delta)
    FROM (
        SELECT date_trunc('hour', coalesce(r.finished_at, now()), 'UTC') AS hour, r.channel, r.status, 1 AS delta
        FROM new_rows r WHERE r.status IN ('sent', 'failed')
        UNION ALL
        SELECT date_trunc('hour', coalesce(r.finished_at, now()), 'UTC'), r.channel, r.status, -1
        FROM old_rows r WHERE r.status IN ('sent', 'failed')
    ) x
    GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (hour, channel, status, shard) DO UPDATE SET n = h.n + excluded.n;
    RETURN NULL;
END
$$;

-- Statement-level with transition tables: a 100,000-row fan-out runs the function once.
-- (PostgreSQL allows no column list on an UPDATE trigger with transition tables, so it
-- runs for every UPDATE; one that changes no status or reason writes nothing.)
CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION loa_count_deliveries();
CREATE TRIGGER deliveries_count_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION loa_count_deliveries();

-- counted: the broadcast's counters are complete, so reads use them and retention may
-- delete its rows. Broadcasts that exist now get false (the ADD COLUMN default, stored
-- in the catalogue, no rewrite); every broadcast made from now on gets true, since the
-- trigger has counted its deliveries from the fan-out on. Until the leader has counted
-- an old broadcast's rows, reads count them as before.
ALTER TABLE broadcasts ADD COLUMN counted boolean NOT NULL DEFAULT false;
ALTER TABLE broadcasts ALTER COLUMN counted SET DEFAULT true;
-- When the leader saw the broadcast's last pending delivery end (and reported its
-- failures, if any, in the same transaction). A finished broadcast is never looked at
-- again: no delivery becomes pending once fan-out is over.
ALTER TABLE broadcasts ADD COLUMN finished_at timestamptz;
-- When retention deleted its per-recipient rows; its counters stay.
ALTER TABLE broadcasts ADD COLUMN deliveries_pruned_at timestamptz;

-- Broadcasts reported already are finished; the rest are looked at once counted.
UPDATE broadcasts SET finished_at = failures_reported_at WHERE failures_reported_at IS NOT NULL;

-- broadcasts is small (one row per thing said): plain indexes are built in
-- milliseconds. The leader's jobs read only these slices of it.
CREATE INDEX broadcasts_uncounted_idx ON broadcasts (id) WHERE NOT counted;
CREATE INDEX broadcasts_unfinished_idx ON broadcasts (id) WHERE finished_at IS NULL AND counted;
CREATE INDEX broadcasts_unpruned_idx ON broadcasts (created_at) WHERE deliveries_pruned_at IS NULL;

-- Subscribers by channel and status at the end of each day (in LOA_TIMEZONE), upserted
-- by the leader during the day, for the charts.
CREATE TABLE subscriber_days (
    day     date    NOT NULL,
    channel text    NOT NULL,
    status  text    NOT NULL,
    n       integer NOT NULL,
    PRIMARY KEY (day, channel, status)
);

-- A draft the admin dropped, or replaced with a newer one, is discarded: not a
-- cancelled announcement (which was confirmed and stopped, and stays in the record).
-- Discarded and abandoned drafts are deleted after a day.
ALTER TABLE announcements DROP CONSTRAINT announcements_status_check;
ALTER TABLE announcements ADD CONSTRAINT announcements_status_check
    CHECK (status IN ('draft', 'discarded', 'scheduled', 'done', 'cancelled'));
UPDATE announcements SET status = 'discarded' WHERE status = 'cancelled' AND cancelled_by = '';
