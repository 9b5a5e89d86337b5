package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaderLockKey is the first key of the leadership advisory lock; the second is the
// schema's hash, so deployments in different schemas of one database elect separately.
const leaderLockKey = 0x10a0002

// Leader elects one replica at a time with a PostgreSQL session advisory lock held on a
// dedicated connection (not a pooled one: the lock belongs to the session, and a pool
// would hand that session to others). When the leader dies its connection drops and the
// server releases the lock; a standby, retrying every RetryInterval, takes over.
type Leader struct {
	// ConnConfig names the database (and schema, through search_path) to elect in.
	ConnConfig *pgx.ConnConfig
	// RetryInterval is how often a standby tries to take the lock (default 2s).
	RetryInterval time.Duration
	// CheckInterval is how often the leader checks that its connection, and so its lock,
	// is still alive (default 2s). A leader cut off from the database stops leading
	// within about this long; until then the work it leads must tolerate a second
	// leader (feed claims and broadcast source keys do).
	CheckInterval time.Duration
	// Log receives transitions.
	Log *slog.Logger
	// OnChange, if set, is told when this replica gains or loses leadership.
	OnChange func(leading bool)
}

// Run campaigns until ctx ends. Whenever it holds the lock it runs lead with a context
// that is cancelled when leadership is lost or ctx ends, and waits for lead to return
// before campaigning again. It returns nil when ctx ends.
func (l *Leader) Run(ctx context.Context, lead func(ctx context.Context)) error {
	retry := l.RetryInterval
	if retry <= 0 {
		retry = 2 * time.Second
	}
	for {
		err := l.term(ctx, lead)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			l.Log.Warn("leader election", slog.String("error", err.Error()))
		}
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// term makes one attempt: connect, try the lock, and if it is ours lead until the
// connection fails or ctx ends.
func (l *Leader) term(ctx context.Context, lead func(ctx context.Context)) error {
	conn, err := pgx.ConnectConfig(ctx, l.ConnConfig)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		// Closing the session releases the lock; a fresh context, since ctx may be done.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx) // the lock goes with the session whether or not Close says so
	}()
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, leaderLockKey).Scan(&got); err != nil {
		return fmt.Errorf("try lock: %w", err)
	}
	if !got {
		return nil
	}

	l.Log.Info("became leader")
	l.changed(true)
	defer l.changed(false)
	leadCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		lead(leadCtx)
	}()
	err = l.hold(leadCtx, conn, done)
	cancel()
	<-done
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("gave up leadership: %w", err)
}

// errLeadReturned says the led work stopped on its own; the lock is given up so that
// another replica (or this one, on its next try) starts it afresh.
var errLeadReturned = errors.New("led work stopped")

// hold checks the connection until it fails, the led work returns, or ctx ends.
func (l *Leader) hold(ctx context.Context, conn *pgx.Conn, done <-chan struct{}) error {
	check := l.CheckInterval
	if check <= 0 {
		check = 2 * time.Second
	}
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return errLeadReturned
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, check)
		err := conn.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("leadership connection: %w", err)
		}
	}
}

func (l *Leader) changed(leading bool) {
	if l.OnChange != nil {
		l.OnChange(leading)
	}
}
