-- Admins kept in the database (besides LOA_ADMINS), admins' announcements, their runs,
-- and the audit log.

CREATE TABLE admins (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    text        NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    -- The admin's user id on that channel (Telegram: a number; Zalo: a string).
    user_id    text        NOT NULL,
    name       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, user_id)
);

CREATE TABLE announcements (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The text as the admin wrote it, with simple formatting (*bold*, _italic_,
    -- [text](https://link)); placeholders {years}, {date}, {founded} for event greetings.
    body         text        NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
    -- Audience: the topic it goes to (announcements by default, so members who muted
    -- announcements are respected) and, optionally, one channel only.
    topic        text        NOT NULL DEFAULT 'announcements',
    channel      text        CHECK (channel IN ('telegram', 'zalo')),
    -- When: once (at run_at), on a cron expression (robfig syntax, in LOA_TIMEZONE), or
    -- every year on a calendar event's day at event_time.
    schedule     text        NOT NULL CHECK (schedule IN ('once', 'cron', 'event')),
    cron         text        NOT NULL DEFAULT '',
    event_id     bigint,
    event_time   text        NOT NULL DEFAULT '',
    -- The next run to make; NULL when there is none left. A draft keeps the time it
    -- was proposed for (NULL: now, on confirmation).
    next_run_at  timestamptz,
    -- draft: written in the bot and previewed, waiting for the admin's confirmation
    -- (nothing goes out without one); scheduled; done; cancelled.
    status       text        NOT NULL DEFAULT 'scheduled'
                 CHECK (status IN ('draft', 'scheduled', 'done', 'cancelled')),
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_by text        NOT NULL DEFAULT '',
    cancelled_at timestamptz,
    CHECK ((schedule = 'cron') = (cron <> '')),
    CHECK ((schedule = 'event') = (event_id IS NOT NULL))
);

CREATE INDEX announcements_due_idx ON announcements (next_run_at) WHERE status = 'scheduled';

-- One row per run: made (with its broadcast) or missed (too late, past the grace
-- window). The primary key is what makes a run happen once, whatever the replicas.
CREATE TABLE announcement_runs (
    announcement_id bigint      NOT NULL REFERENCES announcements (id),
    run_at          timestamptz NOT NULL,
    status          text        NOT NULL CHECK (status IN ('sent', 'missed')),
    broadcast_id    bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (announcement_id, run_at)
);

CREATE TABLE audit_log (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    -- Who: "telegram:123456", "zalo:abc", "cli:<os user>", or "loa" for the service.
    actor  text        NOT NULL,
    -- What: announcement.create, announcement.cancel, announcement.run, broadcast.cancel,
    -- admin.add, admin.remove, ...
    action text        NOT NULL,
    target text        NOT NULL DEFAULT '',
    detail text        NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- Alerts: messages to the admins only (a feed disabled, a broadcast that finished with
-- failures, a missed run, a token refused). They go through the outbox like everything
-- else, but to named chats instead of a topic's subscribers.
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_kind_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_kind_check
    CHECK (kind IN ('article', 'anniversary', 'announcement', 'alert'));
-- When the admins were told that the broadcast finished with failures (NULL: not yet,
-- or nothing to tell).
ALTER TABLE broadcasts ADD COLUMN failures_reported_at timestamptz;
