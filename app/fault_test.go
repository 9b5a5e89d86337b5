package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"loa/internal/await"
	"loa/internal/dbtest"
)

// A leader whose host goes silent (its database traffic neither answered nor closed, as
// when a machine dies or is cut off) is replaced by a standby, and stops leading on its
// own. With a session advisory lock the server kept the silent session, and its lock,
// until TCP keepalive gave up, hours later.
func TestSilentLeaderIsReplaced(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dbtest.StoreAt(t, dbURL)
	proxy, proxied := dbtest.ViaProxy(t, dbURL)

	a := start(t, proxied, faultEnv...)
	await.Until(t, "a to lead", func() bool { return a.leading(t) })
	b := start(t, dbURL, faultEnv...)

	proxy.Silence()
	await.Within(t, "the standby to take over from the silent leader", 10*time.Second, func() bool { return b.leading(t) })
	await.Until(t, "the silent leader to step down", func() bool { return !a.leading(t) })
}

// A replica whose pooled database connections all go silent at once, while new
// connections work, abandons them and goes on sending.
func TestSilentPooledConnectionsAreAbandoned(t *testing.T) {
	t.Parallel()
	const chats = 5
	fake, dbURL, st := subscribedRig(t, 7000, chats)
	ctx := context.Background()
	proxy, proxied := dbtest.ViaProxy(t, dbURL)
	in := start(t, proxied, append(tgEnv(fake, "LOA_TELEGRAM_RATE", "50"), faultEnv...)...)
	announce(t, st, "ann:fault:1", "Thông báo số 1")
	await.Until(t, "the first broadcast to be sent and recorded", func() bool {
		bs, err := st.BroadcastStats(ctx, 1)
		return err == nil && len(bs) == 1 && bs[0].Sent == chats
	})

	// Every connection the replica holds goes silent; new ones work.
	proxy.Silence()
	proxy.Restore()
	announce(t, st, "ann:fault:2", "Thông báo số 2")
	await.On(t, fake, "the second broadcast after the silence", 10*time.Second, func() bool { return fake.Accepted() >= 2*chats })
	if code, body := in.get(t, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d %s after the replica recovered", code, body)
	}
}

// A loop stuck inside one call longer than LOA_STALL_LIMIT fails /healthz, naming the
// loop; it passes again once the loop moves. The stall limit is set below the database
// timeout here so that a silent database keeps the loop inside one call long enough
// (the replica warns about such a setting).
func TestStuckLoopFailsHealthz(t *testing.T) {
	t.Parallel()
	fake, dbURL, _ := telegramRig(t)
	proxy, proxied := dbtest.ViaProxy(t, dbURL)
	in := start(t, proxied, tgEnv(fake, "LOA_DB_TIMEOUT", "4s", "LOA_STALL_LIMIT", "1s")...)
	if code, body := in.get(t, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d %s before the fault", code, body)
	}

	proxy.Silence()
	body := in.awaitStatus(t, "/healthz", http.StatusServiceUnavailable)
	if !strings.Contains(body, `"delivery telegram":"no iteration for`) {
		t.Errorf("/healthz = %s; want the stalled delivery loop named", body)
	}
	proxy.Restore()
	in.awaitStatus(t, "/healthz", http.StatusOK)
	in.awaitStatus(t, "/readyz", http.StatusOK)
}

// A database outage fails /readyz, with a reason that names no host, user or database,
// and leaves /healthz passing: the loops' calls have deadlines, so they go on beating,
// and an orchestrator does not restart every replica because the database is down.
func TestDatabaseOutageFailsReadyzNotHealthz(t *testing.T) {
	t.Parallel()
	fake, dbURL, _ := telegramRig(t)
	proxy, proxied := dbtest.ViaProxy(t, dbURL)
	in := start(t, proxied, append(tgEnv(fake), faultEnv...)...)
	await.Until(t, "to lead", func() bool { return in.leading(t) })

	proxy.Silence()
	ready := in.awaitStatus(t, "/readyz", http.StatusServiceUnavailable)
	if !strings.Contains(ready, `"database":"no answer within 2s"`) {
		t.Errorf("/readyz = %s; want the database named as not answering", ready)
	}
	for _, secret := range []string{"postgres", "loa_test", "127.0.0.1", proxy.Addr()} {
		if strings.Contains(ready, secret) {
			t.Errorf("/readyz names %q: %s", secret, ready)
		}
	}
	// Through four database timeouts of outage, every loop keeps beating.
	failed := time.Now()
	for time.Since(failed) < 4*time.Second {
		code, body := in.get(t, "/healthz")
		if code != http.StatusOK {
			t.Fatalf("/healthz = %d %s during a database outage", code, body)
		}
		if !strings.Contains(body, `"delivery telegram"`) || !strings.Contains(body, `"inbound telegram"`) || !strings.Contains(body, `"leadership"`) {
			t.Fatalf("/healthz = %s; want every loop watched: delivery, inbound updates, leadership", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	proxy.Restore()
	in.awaitStatus(t, "/readyz", http.StatusOK)
}

// faultEnv tunes a replica for fault tests: a silent connection is dropped after a
// second, and a loop is stalled after three (at least twice the database timeout, as
// advised: one iteration may meet a silent pooled connection, then wait for a new one).
var faultEnv = []string{"LOA_DB_TIMEOUT", "1s", "LOA_STALL_LIMIT", "3s"}
