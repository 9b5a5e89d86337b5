-- Subscribers, and the outbox: one delivery per broadcast and subscriber.

CREATE TABLE subscribers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel       text        NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    -- The chat's id on its channel, as text (Telegram's are integers, Zalo's strings).
    address       text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('private', 'group', 'supergroup', 'channel')),
    -- Forum supergroups: the topic (message_thread_id) broadcasts go to; 0 for none.
    thread_id     bigint      NOT NULL DEFAULT 0,
    title         text        NOT NULL DEFAULT '',
    -- active: receives broadcasts; stopped: the member said /stop; gone: the chat cannot
    -- be reached any more (blocked, kicked, deleted), with the reason kept.
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stopped', 'gone')),
    status_reason text        NOT NULL DEFAULT '',
    -- Subscriptions are opt-out: a subscriber gets every topic except these, so a feed
    -- added later reaches the members who subscribed to "everything" with /start.
    muted_topics  text[]      NOT NULL DEFAULT '{}',
    -- Per-chat pacing shared by every replica: the chat's next message may go out at
    -- this time, not before (Telegram: ~1/s per chat, 20/min per group).
    next_send_at  timestamptz NOT NULL DEFAULT 'epoch',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, address)
);

-- Fan-out reads the active subscribers.
CREATE INDEX subscribers_active_idx ON subscribers (id) WHERE status = 'active';

-- NULL: every channel; else the one channel an announcement is for.
ALTER TABLE broadcasts ADD COLUMN channel text CHECK (channel IN ('telegram', 'zalo'));
-- An admin may cancel a broadcast: its pending deliveries stop.
ALTER TABLE broadcasts ADD COLUMN cancelled_at timestamptz;

-- No foreign keys on broadcast_id and subscriber_id, on purpose: fan-out writes a row per
-- subscriber in one statement (100,000 in under 2 s is the target), and the two per-row
-- FK checks cost about 40% of that. Rows are only ever created by fan-out, from existing
-- broadcasts and subscribers, and loa never deletes either (subscribers change status,
-- broadcasts stay as the record of what was said).
CREATE TABLE deliveries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    broadcast_id   bigint      NOT NULL,
    subscriber_id  bigint      NOT NULL,
    -- Copied from the subscriber so that each channel's senders claim their own rows.
    channel        text        NOT NULL,
    -- pending: to send (or being sent, while leased); sent; failed: given up, with the
    -- reason; cancelled: not sent on purpose (broadcast cancelled, subscriber gone).
    status         text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    -- When the delivery may next be tried. A claim moves it forward by the lease, so a
    -- sender that dies mid-send leaves the row to be claimed again when the lease ends.
    due_at         timestamptz NOT NULL DEFAULT now(),
    -- Who holds the lease (a replica's random id), for diagnostics.
    leased_by      text        NOT NULL DEFAULT '',
    attempts       integer     NOT NULL DEFAULT 0,
    -- A long message goes out in parts; parts_sent lets a retry resume after the last
    -- part that was accepted instead of repeating it.
    parts_sent     integer     NOT NULL DEFAULT 0,
    last_error     text        NOT NULL DEFAULT '',
    sent_at        timestamptz,
    finished_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (broadcast_id, subscriber_id)
);

-- Senders claim the due pending rows of their channel.
CREATE INDEX deliveries_due_idx ON deliveries (channel, due_at) WHERE status = 'pending';
-- A subscriber gets broadcasts in order: a delivery waits while an older one to the same
-- subscriber is pending.
CREATE INDEX deliveries_subscriber_pending_idx ON deliveries (subscriber_id, broadcast_id) WHERE status = 'pending';
-- A broadcast's progress is read through the unique (broadcast_id, subscriber_id) index;
-- no index of its own, since every index slows the fan-out's bulk insert.

-- State each channel's senders share across replicas.
CREATE TABLE channel_state (
    channel      text PRIMARY KEY CHECK (channel IN ('telegram', 'zalo')),
    -- A 429 (or a revoked token) seen by one replica pauses every replica until then.
    paused_until timestamptz NOT NULL DEFAULT 'epoch',
    pause_reason text        NOT NULL DEFAULT '',
    -- Send slots: the next free slot of the channel's global rate. A replica reserves k
    -- slots by moving this forward by k/rate, so the replicas' sum stays under the rate.
    next_slot_at timestamptz NOT NULL DEFAULT 'epoch'
);

INSERT INTO channel_state (channel) VALUES ('telegram'), ('zalo');
