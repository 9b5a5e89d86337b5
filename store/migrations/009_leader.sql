-- Leadership as a row with an expiry (as River elects its leader), instead of a session
-- advisory lock. A lock lives as long as its session, and PostgreSQL keeps the session
-- of a host that went silent until TCP keepalive gives up (two hours by default): the
-- standby could not take over. A row expires on the database's own clock, whatever
-- happened to the leader's host.
--
-- One row per election name (loa has one, 'default'). The leader extends expires_at
-- every few seconds; once expires_at has passed, any replica may take the row over,
-- which starts a new term. Work started as leader commits only if its (leader_id, term)
-- still holds an unexpired row at commit time (store.WithLeaderFence).
CREATE TABLE leader (
    name       text        PRIMARY KEY,
    -- The replica leading (its process id, random per start: diagnostics and fencing).
    leader_id  text        NOT NULL,
    -- Counts the terms: one more at each takeover, never reused (a resigned row is
    -- expired, not deleted), so a fence from an earlier term of the same replica fails.
    term       bigint      NOT NULL,
    elected_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
