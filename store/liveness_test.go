package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"loa/internal/dbtest"
	"loa/internal/netfault"
	"loa/store"
)

// proxied opens a store on a fresh schema through a proxy, with a short silence limit.
func proxied(t *testing.T, timeout time.Duration) (*store.Store, *netfault.Proxy) {
	t.Helper()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	p, through := dbtest.ViaProxy(t, dbURL)
	s, err := store.OpenWith(context.Background(), through, store.Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, p
}

// Every pooled connection goes silent while new ones work: each call that meets a dead
// connection fails within the silence limit, the connection is dropped, and the pool
// goes on with new ones. Without a limit such a call waits for ever.
func TestSilentPooledConnectionsAreDropped(t *testing.T) {
	t.Parallel()
	// A second, not less: on a loaded machine (the whole suite on 2 cores) a call on a
	// good connection can take some hundreds of milliseconds, and one that met the limit
	// would count as a silent connection.
	const limit = time.Second
	s, p := proxied(t, limit)
	ctx := context.Background()
	// Open several connections at once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := s.Sleep(ctx, 50*time.Millisecond); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	held := s.TotalConns()
	if held < 2 {
		t.Fatalf("the pool holds %d connections; the test needs several", held)
	}

	p.Silence()
	p.Restore()
	failures, successes := 0, 0
	deadline := time.Now().Add(20 * time.Second)
	for successes < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("after %d failures and %d successes the pool still fails", failures, successes)
		}
		start := time.Now()
		errc := make(chan error, 1)
		go func() { _, err := s.Feeds(ctx); errc <- err }() // no deadline of its own
		var err error
		select {
		case err = <-errc:
		case <-time.After(limit + 3*time.Second):
			t.Fatalf("a call on a silent connection hung (limit %s)", limit)
		}
		took := time.Since(start)
		switch {
		case err == nil:
			successes++
		case errors.Is(err, store.ErrSilent):
			failures++
			successes = 0
			if took > limit+2*time.Second {
				t.Fatalf("a call on a silent connection took %s; the limit is %s", took, limit)
			}
		default:
			t.Fatalf("call %d: %v; want ErrSilent or success", failures+successes, err)
		}
	}
	t.Logf("%d of %d silent connections met by a call", failures, held)
	if failures > int(held) {
		t.Fatalf("%d calls failed; at most one per silent connection (%d) should", failures, held)
	}
}

// The limit is for calls that would otherwise wait for ever: a call with a deadline of
// its own, or a migration, may be silent for longer.
func TestSilenceLimitSparesDeadlinesAndMigrations(t *testing.T) {
	t.Parallel()
	// A second: the limit bounds connecting too, and under the whole suite on 2 cores
	// connecting through the proxy once took longer than 200 ms.
	const limit = time.Second
	s, _ := proxied(t, limit)
	ctx := context.Background()
	if err := s.Sleep(ctx, 3*limit); !errors.Is(err, store.ErrSilent) {
		t.Fatalf("a slow call without a deadline: %v; want ErrSilent", err)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Sleep(dctx, 3*limit); err != nil {
		t.Fatalf("a slow call within its own deadline: %v", err)
	}
	if err := s.Sleep(store.WithoutSilenceLimit(ctx), 3*limit); err != nil {
		t.Fatalf("a slow migration statement: %v", err)
	}
	// A deadline shorter than the limit still ends the call, as a timeout.
	sctx, cancel2 := context.WithTimeout(ctx, limit/2)
	defer cancel2()
	if err := s.Sleep(sctx, 3*limit); err == nil || errors.Is(err, store.ErrSilent) {
		t.Fatalf("a call past its own deadline: %v; want the context's error", err)
	}
}

// The server drops a dead client's session in seconds, not the kernel's two hours: each
// session asks for TCP keepalive.
func TestSessionsAskForServerKeepalive(t *testing.T) {
	t.Parallel()
	s, _ := proxied(t, time.Second)
	got, err := s.Setting(context.Background(), "tcp_keepalives_idle")
	if err != nil || got != "10" {
		t.Fatalf("tcp_keepalives_idle = %q, %v; want 10", got, err)
	}
	s.Close() // and again at cleanup: closing twice is harmless
}
