-- The web console (issue 11): one-time sign-in links, sessions, invite codes for new
-- admins, and the count of failed sign-in attempts per client address.
--
-- Secrets are never stored: a link's token, a session's id and an invite code are kept
-- as their SHA-256, so a copy of the database (a backup, a replica) lets nobody sign in.
-- The tokens are 256 random bits, so an unsalted hash is enough: there is nothing to
-- guess from it. Times are the application's clock (the store's callers pass now), so
-- tests can move it; expiry is checked in the statements that use a row.

CREATE TABLE web_links (
    token_hash bytea       PRIMARY KEY,
    -- Whom the link signs in: an admin on a channel (Telegram: a number; Zalo: a string).
    channel    text        NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    user_id    text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Set by the POST of the sign-in page's button, once: a preview fetching the URL
    -- (a GET) never uses a link.
    used_at    timestamptz
);

CREATE TABLE web_sessions (
    id_hash     bytea       PRIMARY KEY,
    channel     text        NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    user_id     text        NOT NULL,
    -- The token every form of this session carries (not a credential by itself: it is
    -- worthless without the session's cookie, which a page of another site cannot read).
    csrf        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    -- Idle expiry: moved forward (at most once a minute) by requests a person makes;
    -- the live progress polling does not move it.
    idle_until  timestamptz NOT NULL,
    -- Absolute expiry: created_at plus the lifetime, never moved.
    expires_at  timestamptz NOT NULL
);

-- Removing an admin ends their sessions; the sweep of expired ones reads by expiry.
CREATE INDEX web_sessions_user_idx ON web_sessions (channel, user_id);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);

CREATE TABLE web_invites (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_hash  bytea       NOT NULL UNIQUE,
    -- The admin who made it ("telegram:1001") and the name the new admin will carry.
    created_by text        NOT NULL,
    name       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Who redeemed it ("zalo:abc"), once.
    used_by    text        NOT NULL DEFAULT '',
    used_at    timestamptz
);

-- Failed sign-in attempts (unknown, used or expired links) per client address, in a
-- fixed window: every replica counts into the same row, so spreading attempts over
-- replicas gains nothing.
CREATE TABLE web_failures (
    client       text        PRIMARY KEY,
    window_start timestamptz NOT NULL,
    failures     integer     NOT NULL
);
