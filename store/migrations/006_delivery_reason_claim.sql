-- What the engine needs to keep counts that outlive the rows and to fence its writes.
--
-- Both columns are added with constant defaults, which PostgreSQL 11+ records in the
-- catalogue without rewriting the table: safe on a year-old deliveries table.

-- Why a delivery ended unsent, as a short stable code (blocked, chat_not_found,
-- migrated, too_long, max_age, broadcast_cancelled, subscriber_gone, ...), counted and
-- shown to admins; last_error keeps the full text for diagnostics. '' while pending or
-- sent, and on rows finished before this migration.
ALTER TABLE deliveries ADD COLUMN reason text NOT NULL DEFAULT '';

-- The claim that holds the delivery: a number unique to each claim, from
-- delivery_claims. Every write that records an outcome names the claim it was made
-- under, and is refused when the delivery has been claimed again since (its lease ran
-- out), so a replica that stalled past its lease cannot overwrite a newer claim.
-- 0: never claimed.
ALTER TABLE deliveries ADD COLUMN claim bigint NOT NULL DEFAULT 0;
CREATE SEQUENCE delivery_claims;
