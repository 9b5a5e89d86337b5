package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotLeader is returned when leadership is asked of a replica that no longer holds
// it: a renewal of a term taken over, or a fenced write (WithLeaderFence) whose term has
// ended. The write is rolled back.
var ErrNotLeader = errors.New("no longer the leader")

// LeaderTerm is one replica's term of leadership, as elected.
type LeaderTerm struct {
	// Name is the election (one per deployment: "default").
	Name string
	// LeaderID is the replica that leads.
	LeaderID string
	// Term numbers the terms of this election; each takeover adds one.
	Term int64
}

// Leadership is the leader row, as seen by the database.
type Leadership struct {
	LeaderTerm
	ElectedAt, ExpiresAt time.Time
	// Expired: ExpiresAt has passed by the database's clock.
	Expired bool
}

// Elect makes id the leader of the election name for ttl, judged by the database's
// clock, when nobody leads it (no row, or an expired one) or when id itself holds it (a
// replica that stepped down because an answer came late takes its row back at once, in
// a new term). It reports whether id now leads, and the term.
func (s *Store) Elect(ctx context.Context, name, id string, ttl time.Duration) (LeaderTerm, bool, error) {
	t := LeaderTerm{Name: name, LeaderID: id}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO leader AS l (name, leader_id, term, elected_at, expires_at)
		VALUES ($1, $2, 1, now(), now() + $3::interval)
		ON CONFLICT (name) DO UPDATE SET
			leader_id = EXCLUDED.leader_id, term = l.term + 1,
			elected_at = now(), expires_at = EXCLUDED.expires_at
		WHERE l.expires_at <= now() OR l.leader_id = EXCLUDED.leader_id
		RETURNING term`, name, id, ttl).Scan(&t.Term)
	if errors.Is(err, pgx.ErrNoRows) {
		return LeaderTerm{}, false, nil // another replica leads
	}
	if err != nil {
		return LeaderTerm{}, false, fmt.Errorf("elect: %w", err)
	}
	return t, true, nil
}

// RenewLeadership extends t's term to ttl from now, by the database's clock. It
// returns ErrNotLeader when another replica took the row over (a later term). A term
// whose row expired but was not taken over is extended: nobody led in between.
func (s *Store) RenewLeadership(ctx context.Context, t LeaderTerm, ttl time.Duration) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE leader SET expires_at = now() + $4::interval
		WHERE name = $1 AND leader_id = $2 AND term = $3`, t.Name, t.LeaderID, t.Term, ttl)
	if err != nil {
		return fmt.Errorf("renew leadership: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("renew leadership (term %d): %w", t.Term, ErrNotLeader)
	}
	return nil
}

// Resign ends t's term now, so that a standby takes over at its next try instead of
// waiting for the expiry (a rolling restart hands over at once). The row stays, expired,
// so that the term count goes on.
func (s *Store) Resign(ctx context.Context, t LeaderTerm) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE leader SET expires_at = now()
		WHERE name = $1 AND leader_id = $2 AND term = $3 AND expires_at > now()`, t.Name, t.LeaderID, t.Term)
	if err != nil {
		return fmt.Errorf("resign leadership: %w", err)
	}
	return nil
}

// Leader returns the leader row of the election name, or ErrNotFound when nobody was
// ever elected.
func (s *Store) Leader(ctx context.Context, name string) (Leadership, error) {
	var l Leadership
	err := s.pool.QueryRow(ctx, `
		SELECT name, leader_id, term, elected_at, expires_at, expires_at <= now()
		FROM leader WHERE name = $1`, name).Scan(&l.Name, &l.LeaderID, &l.Term, &l.ElectedAt, &l.ExpiresAt, &l.Expired)
	if errors.Is(err, pgx.ErrNoRows) {
		return Leadership{}, fmt.Errorf("leader %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Leadership{}, fmt.Errorf("leader %q: %w", name, err)
	}
	return l, nil
}

// fenceKey carries a LeaderTerm in a context.
type fenceKey struct{}

// WithLeaderFence returns a context under which the store's leader writes (a feed
// poll's outcome, an announcement run, an alert) commit only if t is still the current,
// unexpired term when they commit. Work the leader starts carries it; the same
// functions called without it (the command line) are not fenced.
func WithLeaderFence(ctx context.Context, t LeaderTerm) context.Context {
	return context.WithValue(ctx, fenceKey{}, t)
}

// LeaderFence returns the term ctx is fenced by, if any.
func LeaderFence(ctx context.Context) (LeaderTerm, bool) {
	t, ok := ctx.Value(fenceKey{}).(LeaderTerm)
	return t, ok
}

// fenceIdleTimeout bounds how long a fenced transaction may sit waiting for its client.
// Its check holds a share lock on the leader row until commit, and a takeover waits for
// that lock: if the leader's host goes silent mid-transaction, the server ends the
// session after this long instead of keeping it (and the lock) for hours.
const fenceIdleTimeout = "5s"

// leaderTx runs fn in a transaction that, when ctx carries a leader fence, commits only
// if the fence still holds (checkFence, as the transaction's last statement).
func (s *Store) leaderTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, ok := LeaderFence(ctx); ok {
			if _, err := tx.Exec(ctx, `SELECT set_config('idle_in_transaction_session_timeout', $1, true)`, fenceIdleTimeout); err != nil {
				return err
			}
		}
		if err := fn(tx); err != nil {
			return err
		}
		return checkFence(ctx, tx)
	})
}

// checkFence fails with ErrNotLeader, rolling tx back, when ctx carries a leader fence
// whose term is over: taken over by another replica, or expired by the database's
// clock. It holds the leader row in share mode until tx ends, so no takeover commits
// between the check and tx's commit. Without a fence it does nothing. A store function
// opts in by calling it last in its transaction (leaderTx does).
func checkFence(ctx context.Context, tx pgx.Tx) error {
	t, ok := LeaderFence(ctx)
	if !ok {
		return nil
	}
	var one int
	err := tx.QueryRow(ctx, `
		SELECT 1 FROM leader
		WHERE name = $1 AND leader_id = $2 AND term = $3 AND expires_at > clock_timestamp()
		FOR SHARE`, t.Name, t.LeaderID, t.Term).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("term %d: %w", t.Term, ErrNotLeader)
	}
	return err
}
