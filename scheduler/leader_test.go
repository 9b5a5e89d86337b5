package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"loa/internal/await"
	"loa/internal/dbtest"
	"loa/internal/netfault"
	"loa/store"
)

// candidate runs one Leader, on a store (pool) of its own, and reports whether it leads.
type candidate struct {
	name    string
	store   *store.Store
	leading atomic.Bool
	terms   atomic.Int32
	// fence is the term the led work was given.
	fence  atomic.Pointer[store.LeaderTerm]
	cancel context.CancelFunc
	done   chan struct{}
}

// fast are the intervals of the tests: a term of 1 s renewed every 100 ms.
var fast = Leader{RenewInterval: 100 * time.Millisecond, TTL: time.Second, RetryInterval: 20 * time.Millisecond}

// campaign starts a candidate on dbURL with the given intervals; lead, if set, replaces
// the default led work (wait for the end of the term).
func campaign(t *testing.T, dbURL, name string, timing Leader, lead func(ctx context.Context)) *candidate {
	t.Helper()
	st, err := store.OpenWith(context.Background(), dbURL, store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := &candidate{name: name, store: st, done: make(chan struct{})}
	l := timing
	l.Store, l.ID = st, name
	l.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		_ = l.Run(ctx, func(ctx context.Context) {
			c.terms.Add(1)
			if f, ok := store.LeaderFence(ctx); ok {
				c.fence.Store(&f)
			}
			c.leading.Store(true)
			defer c.leading.Store(false)
			if lead != nil {
				lead(ctx)
				return
			}
			<-ctx.Done()
		})
	}()
	t.Cleanup(func() { cancel(); <-c.done; st.Close() })
	return c
}

func TestLeaderOneAtATimeAndTakeover(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	cs := []*candidate{campaign(t, dbURL, "a", fast, nil), campaign(t, dbURL, "b", fast, nil), campaign(t, dbURL, "c", fast, nil)}
	leaders := func() (n int, who *candidate) {
		for _, c := range cs {
			if c.leading.Load() {
				n++
				who = c
			}
		}
		return n, who
	}
	await.Until(t, "a leader", func() bool { n, _ := leaders(); return n == 1 })

	// Sample across several renewals: never two leaders at once.
	for range 100 {
		if n, _ := leaders(); n > 1 {
			t.Fatalf("%d leaders at once", n)
		}
		time.Sleep(5 * time.Millisecond)
	}

	// The leader stops (a replica shut down): another takes over.
	_, first := leaders()
	first.cancel()
	<-first.done
	await.Until(t, "a new leader", func() bool { n, who := leaders(); return n == 1 && who != first })
}

// A leader that shuts down resigns: a standby takes over at its next try, not after
// the term (a minute here) runs out.
func TestLeaderResignsOnShutdown(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	slow := Leader{RenewInterval: 10 * time.Second, TTL: time.Minute, RetryInterval: 20 * time.Millisecond}
	a := campaign(t, dbURL, "a", slow, nil)
	await.Until(t, "a to lead", a.leading.Load)
	b := campaign(t, dbURL, "b", slow, nil)
	a.cancel()
	<-a.done
	await.Until(t, "b to take over from the resigned a", b.leading.Load)
}

// The leader's connections being cut (a database restart, a proxy dropping them) is not
// the end of its term: it renews on a new connection and goes on leading.
func TestLeaderSurvivesLosingItsConnections(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	u, _ := url.Parse(dbURL)
	q := u.Query()
	q.Set("application_name", "leader-a")
	u.RawQuery = q.Encode()
	a := campaign(t, u.String(), "a", fast, nil)
	await.Until(t, "a to lead", a.leading.Load)
	b := campaign(t, dbURL, "b", fast, nil)

	ctx := context.Background()
	conn := dbtest.Conn(t, dbURL)
	row := func() store.Leadership {
		l, err := b.store.Leader(ctx, DefaultElection)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	before := row()
	var killed int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'leader-a'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed == 0 {
		t.Fatal("terminated none of a's sessions")
	}
	await.Until(t, "a renewal after the cut", func() bool { return row().ExpiresAt.After(before.ExpiresAt.Add(200 * time.Millisecond)) })
	if after := row(); after.LeaderID != "a" || after.Term != before.Term {
		t.Fatalf("leader after the cut: %+v; want a's term %d renewed", after, before.Term)
	}
	if !a.leading.Load() || b.leading.Load() || a.terms.Load() != 1 {
		t.Fatalf("a leading %v (%d terms), b leading %v; want a's one term to go on", a.leading.Load(), a.terms.Load(), b.leading.Load())
	}
}

// A leader whose database goes silent (nothing answered, nothing closed) stops leading
// when its term runs out, and a standby takes over once the row has expired by the
// database's clock. The old leader's fence then refuses its writes.
func TestSilentLeaderStepsDownAndIsReplaced(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	u, _ := url.Parse(dbURL)
	proxy, err := netfault.Listen(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	u.Host = proxy.Addr()
	a := campaign(t, u.String(), "a", fast, nil)
	await.Until(t, "a to lead", a.leading.Load)
	b := campaign(t, dbURL, "b", fast, nil)

	proxy.Silence()
	await.Until(t, "a to step down", func() bool { return !a.leading.Load() })
	await.Until(t, "b to take over", b.leading.Load)
	if b.terms.Load() != 1 {
		t.Fatalf("b led %d terms", b.terms.Load())
	}
	stale := *a.fence.Load()
	feed, err := b.store.AddFeed(context.Background(), store.NewFeed{URL: "https://portal.example/rss", Topic: "news", Interval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.store.RecordPoll(store.WithLeaderFence(context.Background(), stale), store.PollSuccess{FeedID: feed.ID, PolledAt: time.Now(), NextPollAt: time.Now()})
	if !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("a write under the silent leader's fence: %v; want ErrNotLeader", err)
	}
}

// Led work that panics is recovered, logged, and ends the term; the replica resigns and
// pauses, so the standby takes over instead of a crash loop.
func TestLeaderRecoversPanickingWork(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	slow := Leader{RenewInterval: 10 * time.Second, TTL: time.Minute, RetryInterval: 50 * time.Millisecond}
	a := campaign(t, dbURL, "a", slow, func(ctx context.Context) { panic("bug in led work") })
	await.Until(t, "a to lead once", func() bool { return a.terms.Load() >= 1 })
	b := campaign(t, dbURL, "b", slow, nil)
	await.Until(t, "b to take over from the panicking a", b.leading.Load)
	if n := a.terms.Load(); n > 3 {
		t.Fatalf("a led %d terms; a panicking leader should pause before campaigning again", n)
	}
}
