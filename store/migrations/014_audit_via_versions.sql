-- The admin operations layer (package admin): which front end an admin's action came
-- through, and a version on what admins edit, so that two admins editing one thing do
-- not silently overwrite each other.

-- cli, bot or web: the front end of an admin's action; service: loa's own entries
-- (announcement runs). Rows written before this migration get the front end their actor
-- implies ("cli:<os user>" came through the CLI, "loa" is the service, a chat user
-- "telegram:…"/"zalo:…" acted in the bot: the web console did not exist yet). The
-- audit log is small (one row per admin action, kept LOA_AUDIT_RETENTION), so the
-- backfill is one UPDATE here. The default serves a replica of the previous release
-- during a rolling deploy, which writes no via: its admin actions came through the bot,
-- except the service's runs, which the backfill rule would name; 'bot' is what most of
-- them are.
ALTER TABLE audit_log ADD COLUMN via text;
UPDATE audit_log SET via = CASE
    WHEN actor LIKE 'cli:%' THEN 'cli'
    WHEN actor = 'loa' THEN 'service'
    ELSE 'bot' END;
ALTER TABLE audit_log
    ALTER COLUMN via SET DEFAULT 'bot',
    ALTER COLUMN via SET NOT NULL,
    ADD CONSTRAINT audit_log_via_check CHECK (via IN ('cli', 'bot', 'web', 'service'));

-- The web console's Nhật ký filters by actor (and by what was done) newest first.
CREATE INDEX audit_log_actor_at_idx ON audit_log (actor, at DESC);

-- Optimistic concurrency: an admin's edit says which version it was made from and is
-- refused when the row has moved on. Only admins' edits raise the version (not polls,
-- runs, or enabling and disabling, which edits leave alone). Constant defaults: no
-- table rewrite.
ALTER TABLE announcements ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE calendar_events ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE feeds ADD COLUMN version integer NOT NULL DEFAULT 1;
