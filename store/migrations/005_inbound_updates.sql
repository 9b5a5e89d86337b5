-- Inbound updates already handled, so that one a messenger delivers twice (a webhook
-- redelivered after a slow answer, a poll taken over by a new leader before the old one
-- confirmed it, a replica other than the one that first saw it) is answered once. Rows
-- older than a week are deleted by the leader: messengers redeliver within minutes.
CREATE TABLE inbound_updates (
    channel   text        NOT NULL,
    update_id text        NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, update_id)
);

CREATE INDEX inbound_updates_seen_idx ON inbound_updates (seen_at);
