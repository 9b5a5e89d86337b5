package scheduler

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/internal/dbtest"
)

// candidate runs one Leader and reports whether it leads.
type candidate struct {
	name    string
	leading atomic.Bool
	terms   atomic.Int32
	cancel  context.CancelFunc
	done    chan struct{}
}

func campaign(t *testing.T, cfg *pgx.ConnConfig, name string) *candidate {
	t.Helper()
	c := &candidate{name: name, done: make(chan struct{})}
	l := &Leader{
		ConnConfig:    cfg,
		RetryInterval: 20 * time.Millisecond,
		CheckInterval: 20 * time.Millisecond,
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		_ = l.Run(ctx, func(ctx context.Context) {
			c.terms.Add(1)
			c.leading.Store(true)
			<-ctx.Done()
			c.leading.Store(false)
		})
	}()
	t.Cleanup(func() { cancel(); <-c.done })
	return c
}

// waitFor polls cond until it holds: leadership moves on the database's schedule.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLeaderOneAtATimeAndTakeover(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	cfg := st.ConnConfig()
	cs := []*candidate{campaign(t, cfg, "a"), campaign(t, cfg, "b"), campaign(t, cfg, "c")}
	leaders := func() (n int, who *candidate) {
		for _, c := range cs {
			if c.leading.Load() {
				n++
				who = c
			}
		}
		return n, who
	}
	waitFor(t, "a leader", func() bool { n, _ := leaders(); return n == 1 })

	// Sample for a while: never two leaders at once.
	for range 50 {
		if n, _ := leaders(); n > 1 {
			t.Fatalf("%d leaders at once", n)
		}
		time.Sleep(2 * time.Millisecond)
	}

	// The leader stops (a replica shut down): another takes over.
	_, first := leaders()
	first.cancel()
	<-first.done
	waitFor(t, "a new leader", func() bool { n, who := leaders(); return n == 1 && who != first })
}

func TestLeaderLosingItsConnectionStepsDown(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	cfg := st.ConnConfig()
	a := campaign(t, cfg, "a")
	waitFor(t, "a to lead", a.leading.Load)
	b := campaign(t, cfg, "b")

	// Cut the leader's session as a crash or network failure would: the server drops the
	// lock at once, and the leader must notice and stop leading.
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var killed int
	if err := conn.QueryRow(ctx, `
		SELECT count(pg_terminate_backend(l.pid))
		FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = hashtext(current_schema())::oid
			AND l.granted`, leaderLockKey).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d leader sessions, want 1", killed)
	}
	waitFor(t, "b to take over", func() bool { return b.leading.Load() && !a.leading.Load() })
	if a.terms.Load() != 1 {
		t.Fatalf("a led %d terms; it should campaign again and find b leading", a.terms.Load())
	}
}
