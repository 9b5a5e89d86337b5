-- The inbox: every inbound update a messenger delivered, stored before it is
-- acknowledged (Telegram polling: before the next getUpdates confirms its offset; a
-- webhook: before the 200; Zalo polling: as soon as getUpdates returns it, since Zalo
-- keeps nothing once it has served an update), then handled by workers on any replica.
-- It replaces inbound_updates: the unique (channel, update_id) is what makes a
-- redelivered update, already done or claimed, handled once.
CREATE TABLE inbox (
    -- Arrival order: a chat's updates are handled in this order, one at a time.
    id           bigserial   PRIMARY KEY,
    channel      text        NOT NULL,
    update_id    text        NOT NULL,
    -- The chat the update belongs to (its address on the channel, without a forum
    -- topic): the unit of ordering.
    chat         text        NOT NULL,
    -- The update as the messenger sent it (bytea, not jsonb: kept byte for byte, and
    -- jsonb refuses the \u0000 a member may type).
    payload      bytea       NOT NULL,
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    received_at  timestamptz NOT NULL DEFAULT now(),
    -- Not to be handled before (a backoff after a panic).
    due_at       timestamptz NOT NULL DEFAULT now(),
    -- Claimed until, by the database's clock; NULL when nobody holds it. A claim that
    -- lapsed (its replica died or stalled) may be taken again.
    leased_until timestamptz,
    -- The claim that holds the row, from inbox_claims: every write after handling names
    -- it and is refused once the row has been claimed again (fencing).
    claim        bigint      NOT NULL DEFAULT 0,
    claims       integer     NOT NULL DEFAULT 0,
    panics       integer     NOT NULL DEFAULT 0,
    -- The bot's answer, set in the same statement that records the state change as
    -- committed: a row claimed again after that is not handled again, only answered.
    response     jsonb,
    -- Why a row failed (a handler that kept panicking).
    reason       text        NOT NULL DEFAULT '',
    finished_at  timestamptz,
    UNIQUE (channel, update_id)
);

CREATE SEQUENCE inbox_claims;

-- The claim walks only live rows: finished ones (a week of them) are never read by it.
CREATE INDEX inbox_pending_idx ON inbox (channel, chat, id) WHERE status = 'pending';
-- The leader's weekly clean-up finds finished rows by age.
CREATE INDEX inbox_finished_idx ON inbox (finished_at) WHERE status <> 'pending';

-- Updates handled before the upgrade stay "done", so a late redelivery of one is still
-- recognised. inbound_updates holds at most a week of small rows.
INSERT INTO inbox (channel, update_id, chat, payload, status, received_at, finished_at)
SELECT channel, update_id, '', ''::bytea, 'done', seen_at, seen_at FROM inbound_updates
ON CONFLICT DO NOTHING;

-- A replica of the previous version still running during a rolling deploy finds no
-- table: its de-duplication check fails, and it handles the update anyway (its
-- documented fallback), so nothing is lost.
DROP TABLE inbound_updates;
