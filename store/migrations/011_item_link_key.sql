-- Item identity by normalised link (issue 12). Some portals put a session id or
-- tracking parameters in every link and give no GUID, so the same article arrives
-- under a new link on every poll. feeds.LinkKey is the hash of the link without them;
-- an item whose link key is already stored for the feed is not new.
--
-- NULL means "stored before this migration, not computed yet": SQL cannot normalise
-- links as the Go code does, so the first poll of each feed after the upgrade fills
-- the feed's old rows in (store.RecordPoll, under the feed's lock) before it looks
-- for new items. Adding a column without a default rewrites nothing.
ALTER TABLE items ADD COLUMN link_key text;

-- Not unique: the old rows of such a feed hold many copies of one article (each poll
-- stored one), all with the same link key.
CREATE INDEX items_feed_link_key_idx ON items (feed_id, link_key) WHERE link_key <> '';

-- The rows still to fill in: empty once every feed has been polled after the upgrade.
CREATE INDEX items_link_key_missing_idx ON items (feed_id) WHERE link_key IS NULL;

-- The daily cap (LOA_FEED_MAX_PER_DAY) counts the items a feed announced since the
-- start of the local day.
CREATE INDEX items_feed_announced_idx ON items (feed_id, first_seen_at) WHERE announced;
