-- A chat that answers "not found" (Zalo's 404) again and again. No source documents
-- what Zalo answers for a user who blocked the bot or never wrote to it, so a single
-- 404 cannot say the chat is gone; a run of them on consecutive sends spread over at
-- least a day, each while sends to other chats got through, can (store.ChatNotFound).
-- A send that gets through, or the member subscribing again, ends the run.
--
-- Both columns are added with a constant default (NULL for the time), which PostgreSQL
-- records in the catalogue without rewriting the table: safe on a large subscribers
-- table while the previous release runs.
ALTER TABLE subscribers
    -- The 404s counted in a row (only those met while the channel reached other chats).
    ADD COLUMN not_found_count integer NOT NULL DEFAULT 0,
    -- When the first of them came, by the sender's clock; NULL: no run.
    ADD COLUMN not_found_since timestamptz;
