package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
)

// The web console's state (migration 015): sign-in links, sessions, invite codes and
// failed sign-in attempts. Callers hash secrets before they get here (package web);
// the store never sees a token, a session id or an invite code.

// LinkState says why a sign-in link cannot be used.
type LinkState int

// What UseSignInLink found.
const (
	LinkUnknown LinkState = iota // no such link
	LinkUsed                     // used before
	LinkExpired                  // past its expiry
	LinkValid                    // usable (or, from UseSignInLink, just used)
)

// WebIdentity is an admin as the web console knows them: a user on a channel.
type WebIdentity struct {
	Channel chat.Channel
	UserID  string
}

// String is the identity as the audit log names it ("telegram:1001").
func (w WebIdentity) String() string { return string(w.Channel) + ":" + w.UserID }

// CreateSignInLink stores a link's token hash for the user, valid until expires.
func (s *Store) CreateSignInLink(ctx context.Context, tokenHash []byte, who WebIdentity, now, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO web_links (token_hash, channel, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, tokenHash, who.Channel, who.UserID, now, expires)
	if err != nil {
		return fmt.Errorf("create sign-in link for %s: %w", who, err)
	}
	return nil
}

// SignInLink says whether a link can be used, without using it (the page a GET shows).
func (s *Store) SignInLink(ctx context.Context, tokenHash []byte, now time.Time) (WebIdentity, LinkState, error) {
	var who WebIdentity
	var used *time.Time
	var expires time.Time
	err := s.pool.QueryRow(ctx, `SELECT channel, user_id, used_at, expires_at FROM web_links WHERE token_hash = $1`,
		tokenHash).Scan(&who.Channel, &who.UserID, &used, &expires)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return WebIdentity{}, LinkUnknown, nil
	case err != nil:
		return WebIdentity{}, LinkUnknown, fmt.Errorf("sign-in link: %w", err)
	case used != nil:
		return who, LinkUsed, nil
	case !now.Before(expires):
		return who, LinkExpired, nil
	}
	return who, LinkValid, nil
}

// UseSignInLink uses a link once: the first caller gets LinkValid and the identity;
// every later one (on any replica) LinkUsed.
func (s *Store) UseSignInLink(ctx context.Context, tokenHash []byte, now time.Time) (WebIdentity, LinkState, error) {
	var who WebIdentity
	err := s.pool.QueryRow(ctx, `UPDATE web_links SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
		RETURNING channel, user_id`, tokenHash, now).Scan(&who.Channel, &who.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		who, state, err := s.SignInLink(ctx, tokenHash, now)
		if err == nil && state == LinkValid {
			state = LinkUsed // used between the two statements
		}
		return who, state, err
	}
	if err != nil {
		return WebIdentity{}, LinkUnknown, fmt.Errorf("use sign-in link: %w", err)
	}
	return who, LinkValid, nil
}

// WebSession is a signed-in admin's session.
type WebSession struct {
	Who       WebIdentity
	CSRF      string
	CreatedAt time.Time
	IdleUntil time.Time
	ExpiresAt time.Time
}

// CreateWebSession stores a session under its id's hash.
func (s *Store) CreateWebSession(ctx context.Context, idHash []byte, ws WebSession) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO web_sessions (id_hash, channel, user_id, csrf, created_at, idle_until, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		idHash, ws.Who.Channel, ws.Who.UserID, ws.CSRF, ws.CreatedAt, ws.IdleUntil, ws.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create web session for %s: %w", ws.Who, err)
	}
	return nil
}

// WebSession returns the live session with that id hash, or ErrNotFound when there is
// none or it has expired (idle or absolute) by now; an expired one is deleted. When
// touch is set and the idle expiry is more than a minute older than idleUntil, it is
// moved to idleUntil (capped by the absolute expiry).
func (s *Store) WebSession(ctx context.Context, idHash []byte, now time.Time, touch bool, idleUntil time.Time) (WebSession, error) {
	var ws WebSession
	err := s.pool.QueryRow(ctx, `SELECT channel, user_id, csrf, created_at, idle_until, expires_at
		FROM web_sessions WHERE id_hash = $1`, idHash).Scan(
		&ws.Who.Channel, &ws.Who.UserID, &ws.CSRF, &ws.CreatedAt, &ws.IdleUntil, &ws.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return WebSession{}, ErrNotFound
	}
	if err != nil {
		return WebSession{}, fmt.Errorf("web session: %w", err)
	}
	if !now.Before(ws.IdleUntil) || !now.Before(ws.ExpiresAt) {
		if err := s.EndWebSession(ctx, idHash); err != nil {
			return WebSession{}, err
		}
		return WebSession{}, ErrNotFound
	}
	if idleUntil.After(ws.ExpiresAt) {
		idleUntil = ws.ExpiresAt
	}
	if touch && idleUntil.Sub(ws.IdleUntil) > time.Minute {
		if _, err := s.pool.Exec(ctx, `UPDATE web_sessions SET idle_until = $2 WHERE id_hash = $1`, idHash, idleUntil); err != nil {
			return WebSession{}, fmt.Errorf("touch web session: %w", err)
		}
		ws.IdleUntil = idleUntil
	}
	return ws, nil
}

// EndWebSession deletes a session (sign-out, expiry). Ending one that is gone is not an
// error.
func (s *Store) EndWebSession(ctx context.Context, idHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("end web session: %w", err)
	}
	return nil
}

// EndWebSessionsOf deletes every session of a user (an admin removed) and returns how
// many there were.
func (s *Store) EndWebSessionsOf(ctx context.Context, who WebIdentity) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE channel = $1 AND user_id = $2`, who.Channel, who.UserID)
	if err != nil {
		return 0, fmt.Errorf("end web sessions of %s: %w", who, err)
	}
	return tag.RowsAffected(), nil
}

// ForgetWebState deletes expired sessions, links and invites and stale failure counts
// (older than before), and returns how many rows went.
func (s *Store) ForgetWebState(ctx context.Context, now, before time.Time) (int64, error) {
	var n int64
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM web_sessions WHERE expires_at <= $1 OR idle_until <= $1`, now},
		{`DELETE FROM web_links WHERE expires_at <= $1`, before},
		{`DELETE FROM web_invites WHERE expires_at <= $1 AND used_at IS NULL`, before},
		{`DELETE FROM web_failures WHERE window_start <= $1`, before},
	} {
		tag, err := s.pool.Exec(ctx, q.sql, q.at)
		if err != nil {
			return n, fmt.Errorf("forget web state: %w", err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// CountSignInFailure counts one failed attempt from client in the window that started
// at most window ago, and returns the count in the current window (a new window starts
// at 1).
func (s *Store) CountSignInFailure(ctx context.Context, client string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `INSERT INTO web_failures (client, window_start, failures) VALUES ($1, $2, 1)
		ON CONFLICT (client) DO UPDATE SET
			failures = CASE WHEN web_failures.window_start <= $2::timestamptz - $3::interval THEN 1 ELSE web_failures.failures + 1 END,
			window_start = CASE WHEN web_failures.window_start <= $2::timestamptz - $3::interval THEN $2 ELSE web_failures.window_start END
		RETURNING failures`, client, now, window).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sign-in failure: %w", err)
	}
	return n, nil
}

// SignInFailures returns the failed attempts of client in the current window.
func (s *Store) SignInFailures(ctx context.Context, client string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT failures FROM web_failures WHERE client = $1 AND window_start > $2::timestamptz - $3::interval`,
		client, now, window).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sign-in failures: %w", err)
	}
	return n, nil
}

// Invite is a one-time code that makes whoever sends it to the bot an admin.
type Invite struct {
	ID        int64
	CreatedBy string
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    string
	UsedAt    *time.Time
}

// CreateInvite stores an invite code's hash, made by the actor, and audits it, in one
// transaction.
func (s Audited) CreateInvite(ctx context.Context, codeHash []byte, inv Invite) (Invite, error) {
	inv.CreatedBy = s.by.ID
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO web_invites (code_hash, created_by, name, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, codeHash, inv.CreatedBy, inv.Name, inv.CreatedAt, inv.ExpiresAt).Scan(&inv.ID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "invite.create", fmt.Sprintf("invite %d", inv.ID), inv.Name)
	})
	if err != nil {
		return Invite{}, fmt.Errorf("create invite: %w", err)
	}
	return inv, nil
}

// Invites lists the invites not yet expired, newest first, with those used.
func (s *Store) Invites(ctx context.Context, now time.Time) ([]Invite, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, created_by, name, created_at, expires_at, used_by, used_at
		FROM web_invites WHERE expires_at > $1 OR used_at IS NOT NULL ORDER BY id DESC LIMIT 50`, now)
	return collected(rows, err, "invites", func(row pgx.CollectableRow) (Invite, error) {
		var i Invite
		err := row.Scan(&i.ID, &i.CreatedBy, &i.Name, &i.CreatedAt, &i.ExpiresAt, &i.UsedBy, &i.UsedAt)
		return i, err
	})
}

// ErrInviteInvalid is returned for a code that is unknown, used or expired.
var ErrInviteInvalid = errors.New("invite code unknown, used or expired")

// RedeemInvite uses an invite code once and makes a, the actor redeeming it, the admin
// it names, auditing both, in one transaction. A code that is unknown, used or expired
// gives ErrInviteInvalid; a user who is an admin already gives ErrAdminExists and leaves
// the code unused. The invite's name, when it has one, wins over a.Name.
func (s Audited) RedeemInvite(ctx context.Context, codeHash []byte, a Admin, now time.Time) (Admin, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		var name string
		err := tx.QueryRow(ctx, `UPDATE web_invites SET used_by = $2, used_at = $3
			WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $3 RETURNING id, name`,
			codeHash, s.by.ID, now).Scan(&id, &name)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrInviteInvalid
		}
		if err != nil {
			return err
		}
		if name != "" {
			a.Name = name
		}
		err = tx.QueryRow(ctx, `INSERT INTO admins (channel, user_id, name) VALUES ($1, $2, $3)
			ON CONFLICT (channel, user_id) DO NOTHING RETURNING id, created_at`, a.Channel, a.UserID, a.Name).Scan(&a.ID, &a.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrAdminExists
		}
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, s.by, "invite.redeem", fmt.Sprintf("invite %d", id), ""); err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "admin.add", string(a.Channel)+":"+a.UserID, a.Name)
	})
	if err != nil {
		return Admin{}, fmt.Errorf("redeem invite: %w", err)
	}
	return a, nil
}

// Record writes an audit entry of its own (a sign-in to the web console), outside any
// change.
func (s Audited) Record(ctx context.Context, action, target, detail string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (actor, via, action, target, detail) VALUES ($1, $2, $3, $4, $5)`,
		s.by.ID, string(s.by.Via), action, target, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// BroadcastsUnderWay returns the broadcasts still sending (counted, not finished, some
// deliveries pending), newest first, with their progress: the overview's live bars.
// The partial index on unfinished broadcasts keeps it small whatever the history.
func (s *Store) BroadcastsUnderWay(ctx context.Context, limit int) ([]BroadcastStat, error) {
	rows, err := s.pool.Query(ctx, broadcastStatQuery+`
		WHERE b.finished_at IS NULL AND b.counted AND p.pending > 0 ORDER BY b.id DESC LIMIT $1`, limit)
	return collected(rows, err, "broadcasts under way", scanBroadcastStat)
}

// BroadcastProgress returns the progress of the broadcasts named, by id (the live
// progress polling).
func (s *Store) BroadcastProgress(ctx context.Context, ids []int64) (map[int64]BroadcastStat, error) {
	rows, err := s.pool.Query(ctx, broadcastStatQuery+` WHERE b.id = ANY($1)`, ids)
	bs, err := collected(rows, err, "broadcast progress", scanBroadcastStat)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]BroadcastStat, len(bs))
	for _, b := range bs {
		out[b.ID] = b
	}
	return out, nil
}

// Recipient is one delivery of a broadcast as its report lists it.
type Recipient struct {
	Channel          chat.Channel
	Address, Title   string
	Kind             chat.Kind
	Status           DeliveryStatus
	Reason           Reason
	LastError        string
	SentAt, Finished *time.Time
}

// BroadcastRecipients calls fn for each delivery row of a broadcast still kept (retention
// deletes finished rows of old broadcasts; the counts stay), in subscriber order. It
// streams: a broadcast of 100,000 recipients is never held in memory.
func (s *Store) BroadcastRecipients(ctx context.Context, id int64, fn func(Recipient) error) error {
	rows, err := s.pool.Query(ctx, `
		SELECT s.channel, s.address, s.kind, s.title, d.status, coalesce(d.reason, ''), d.last_error, d.sent_at, d.finished_at
		FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.broadcast_id = $1 ORDER BY d.subscriber_id`, id)
	if err != nil {
		return fmt.Errorf("recipients of broadcast %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Channel, &r.Address, &r.Kind, &r.Title, &r.Status, &r.Reason, &r.LastError, &r.SentAt, &r.Finished); err != nil {
			return fmt.Errorf("recipients of broadcast %d: %w", id, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("recipients of broadcast %d: %w", id, err)
	}
	return nil
}

// SubscriberFilter narrows a subscriber search; empty fields match everything.
type SubscriberFilter struct {
	Channel chat.Channel
	Kind    chat.Kind
	Status  SubscriberStatus
	// Topic: subscribers who receive it (it is not among their muted topics).
	Topic string
	// Query matches the title or the address, case-insensitively.
	Query string
}

// subscriberOrder is the subscribers list's order: by id, oldest first, on the primary
// key.
var subscriberOrder = listOrder{idCol: "id"}

// SearchSubscribers returns one page of the subscribers matching f, by id, and how many
// match in all. The count is exact: it reads every subscriber (one row per chat, a
// hundred thousand at most for an office), the same on every page; the page itself
// walks the primary key from its cursor.
func (s *Store) SearchSubscribers(ctx context.Context, f SubscriberFilter, p Page) (Paged[Subscriber], int, error) {
	count, page, args, pargs := subscriberSearchQueries(f, p)
	var total int
	if err := s.pool.QueryRow(ctx, count, args...).Scan(&total); err != nil {
		return Paged[Subscriber]{}, 0, fmt.Errorf("search subscribers: %w", err)
	}
	rows, err := s.pool.Query(ctx, page, pargs...)
	subs, err := collected(rows, err, "search subscribers", rowTo(scanSubscriber))
	if err != nil {
		return Paged[Subscriber]{}, 0, err
	}
	return pageOf(subs, p, func(s Subscriber) Cursor { return Cursor{ID: s.ID} }), total, nil
}

// subscriberSearchQueries returns the statements of a search: the count of every
// match (with args) and the page (with pargs). The order is the primary key's, which
// every plan, custom or generic, walks from the cursor.
func subscriberSearchQueries(f SubscriberFilter, p Page) (count, page string, args, pargs []any) {
	const where = `WHERE ($1 = '' OR channel = $1) AND ($2 = '' OR kind = $2) AND ($3 = '' OR status = $3)
		AND ($4 = '' OR NOT ($4 = ANY (muted_topics)))
		AND ($5 = '' OR title ILIKE '%' || $5 || '%' OR address ILIKE '%' || $5 || '%')`
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query)
	args = []any{string(f.Channel), string(f.Kind), string(f.Status), f.Topic, q}
	cond, order, kargs := subscriberOrder.keyset(p, 7)
	return `SELECT count(*) FROM subscribers ` + where,
		`SELECT ` + subscriberColumns + ` FROM subscribers ` + where + ` AND ` + cond + ` ORDER BY ` + order + ` LIMIT $6`,
		args, append(append(slices.Clip(args), p.size()+1), kargs...)
}

// AnnouncementRunItem is one run of an announcement: made (with its broadcast) or
// missed.
type AnnouncementRunItem struct {
	RunAt       time.Time
	Status      RunStatus
	BroadcastID *int64
}

// AnnouncementRunList returns an announcement's newest runs first, at most limit.
func (s *Store) AnnouncementRunList(ctx context.Context, id int64, limit int) ([]AnnouncementRunItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT run_at, status, broadcast_id FROM announcement_runs
		WHERE announcement_id = $1 ORDER BY run_at DESC LIMIT $2`, id, limit)
	return collected(rows, err, fmt.Sprintf("runs of announcement %d", id), func(row pgx.CollectableRow) (AnnouncementRunItem, error) {
		var r AnnouncementRunItem
		err := row.Scan(&r.RunAt, &r.Status, &r.BroadcastID)
		return r, err
	})
}
