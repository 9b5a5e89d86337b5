-- Feeds, the items seen in them, and the broadcasts they yield.
--
-- Every table lives in the connection's current schema (no "public." prefix), so one
-- database can hold several independent loa deployments, and each test runs in a schema
-- of its own.

CREATE TABLE feeds (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                  text        NOT NULL UNIQUE,
    title                text        NOT NULL DEFAULT '',
    topic                text        NOT NULL,
    poll_interval        interval    NOT NULL CHECK (poll_interval >= interval '1 second'),
    enabled              boolean     NOT NULL DEFAULT true,
    -- Why the feed was disabled (after too many consecutive failures), kept for the admin.
    disabled_reason      text        NOT NULL DEFAULT '',
    -- Validators of the last 200 response, sent back as If-None-Match / If-Modified-Since.
    etag                 text        NOT NULL DEFAULT '',
    last_modified        text        NOT NULL DEFAULT '',
    -- The feed's own hint (RSS <ttl>, sy:updatePeriod): never poll more often than this.
    ttl                  interval    NOT NULL DEFAULT interval '0',
    -- A feed is primed once its first successful poll has recorded its items as seen;
    -- only items that appear after that are announced (see LOA_FEED_BACKLOG).
    primed               boolean     NOT NULL DEFAULT false,
    last_polled_at       timestamptz,
    last_success_at      timestamptz,
    last_error           text        NOT NULL DEFAULT '',
    consecutive_failures integer     NOT NULL DEFAULT 0,
    -- When the scheduler polls it next. Claiming a feed moves this forward (a lease), so
    -- two schedulers overlapping during a leadership hand-over never poll it twice.
    next_poll_at         timestamptz NOT NULL DEFAULT now(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE enabled;

CREATE TABLE items (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id       bigint      NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    -- Stable identity: SHA-256 of the GUID, else of the link, else of title and date.
    item_key      text        NOT NULL,
    guid          text        NOT NULL DEFAULT '',
    link          text        NOT NULL DEFAULT '',
    title         text        NOT NULL,
    summary       text        NOT NULL DEFAULT '',
    published_at  timestamptz NOT NULL,
    first_seen_at timestamptz NOT NULL,
    -- Whether this item became a broadcast (false: recorded as seen on priming, or past
    -- the per-poll cap).
    announced     boolean     NOT NULL DEFAULT false,
    UNIQUE (feed_id, item_key)
);

-- A portal that rewrites an article's GUID while keeping its link has not published a new
-- article: the link is a second identity. Inserts use ON CONFLICT DO NOTHING, which
-- honours this index too.
CREATE UNIQUE INDEX items_feed_link_idx ON items (feed_id, link) WHERE link <> '';

CREATE INDEX items_published_idx ON items (published_at DESC);

CREATE TABLE broadcasts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What this broadcast says, exactly once: item:<id>, anniv:<event>:<date>,
    -- ann:<id>:<run time>. Restarts and replicas collide here instead of repeating.
    source_key text        NOT NULL UNIQUE,
    kind       text        NOT NULL CHECK (kind IN ('article', 'anniversary', 'announcement')),
    topic      text        NOT NULL,
    title      text        NOT NULL,
    summary    text        NOT NULL DEFAULT '',
    link       text        NOT NULL DEFAULT '',
    item_id    bigint      REFERENCES items (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX broadcasts_created_idx ON broadcasts (created_at, id);
