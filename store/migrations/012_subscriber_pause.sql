-- A chat that restricted the bot (Telegram: "not enough rights to send …", a channel
-- or group whose admins took the bot's right to post) is paused, not gone: the chat
-- still exists and its admins may give the right back. While paused_at is set, the
-- claim passes over the subscriber's deliveries (they stay pending, in order) until
-- a my_chat_member update shows the rights are back or an admin resumes the chat
-- (`loa subscribers resume ID`); deliveries older than LOA_DELIVERY_MAX_AGE are failed
-- with reason max_age meanwhile (store.ExpirePausedDeliveries).
--
-- A flag rather than next_send_at in the far future: next_send_at is also the reply
-- pacing (ReserveChat), and a pause must not hold a reply for years, nor be lost
-- when MarkSent or ChatSent move next_send_at. Adding nullable columns rewrites
-- nothing.
ALTER TABLE subscribers ADD COLUMN paused_at timestamptz;
ALTER TABLE subscribers ADD COLUMN pause_reason text NOT NULL DEFAULT '';

-- The paused chats, few: the max-age sweep starts from them.
CREATE INDEX subscribers_paused_idx ON subscribers (id) WHERE paused_at IS NOT NULL;
