package scheduler

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/feeds"
	"loa/internal/dbtest"
	"loa/store"
)

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Cổng thông tin</title><link>https://portal.example/</link>%TTL%
<item><title>Bài một</title><link>https://portal.example/1</link><guid>1</guid><pubDate>Wed, 05 Jun 2024 07:00:00 +0700</pubDate></item>
</channel></rss>`

// clock is a settable clock for the poller.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

var t0 = time.Date(2024, 6, 5, 7, 0, 0, 0, time.UTC)

func newPoller(t testing.TB) (*Poller, *clock) {
	t.Helper()
	c := &clock{t: t0}
	return &Poller{
		Store:       dbtest.Store(t),
		Fetcher:     feeds.NewFetcher(feeds.FetcherOptions{Timeout: 5 * time.Second}),
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:         c.now,
		MaxAnnounce: 5,
		MaxFailures: 3,
	}, c
}

func addFeed(t testing.TB, p *Poller, url string, interval time.Duration) store.Feed {
	t.Helper()
	f, err := p.Store.AddFeed(context.Background(), store.NewFeed{URL: url, Topic: "news", Interval: interval})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func reload(t testing.TB, p *Poller, id int64) store.Feed {
	t.Helper()
	f, err := p.Store.Feed(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPollFailuresBackOffAndDisable(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	f := addFeed(t, p, srv.URL, time.Minute)

	for i, wantWait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		p.Poll(context.Background(), f)
		f = reload(t, p, f.ID)
		if f.ConsecutiveFailures != i+1 || !strings.HasSuffix(f.LastError, ": HTTP 500 Internal Server Error") {
			t.Fatalf("after failure %d: failures %d, error %q", i+1, f.ConsecutiveFailures, f.LastError)
		}
		wait := f.NextPollAt.Sub(c.now())
		if wait < wantWait || wait > wantWait+wantWait/10 {
			t.Fatalf("after failure %d: next poll in %s, want %s plus up to 10%% jitter", i+1, wait, wantWait)
		}
		c.set(f.NextPollAt)
	}
	if f.Enabled || !strings.Contains(f.DisabledReason, "3 consecutive failures") {
		t.Fatalf("after 3 failures: enabled %v, reason %q", f.Enabled, f.DisabledReason)
	}
}

func TestPollHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	f := addFeed(t, p, srv.URL, time.Minute)
	p.Poll(context.Background(), f)
	f = reload(t, p, f.ID)
	if got := f.NextPollAt.Sub(c.now()); got != time.Hour {
		t.Fatalf("next poll in %s, want the server's Retry-After of 1h", got)
	}
}

func TestPollConditionalGetAndTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ttl      string
		interval time.Duration
		want     time.Duration
	}{
		{"no hint", "", 2 * time.Minute, 2 * time.Minute},
		{"ttl longer than the interval", "<ttl>30</ttl>", 2 * time.Minute, 30 * time.Minute},
		{"ttl shorter than the interval", "<ttl>1</ttl>", 2 * time.Minute, 2 * time.Minute},
		{"ttl of a day is capped", "<ttl>1440</ttl>", 2 * time.Minute, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, c := newPoller(t)
			var mu sync.Mutex
			var conditional []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				conditional = append(conditional, r.Header.Get("If-None-Match"))
				mu.Unlock()
				if r.Header.Get("If-None-Match") == `"v1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("ETag", `"v1"`)
				io.WriteString(w, strings.Replace(rss, "%TTL%", tt.ttl, 1))
			}))
			defer srv.Close()
			f := addFeed(t, p, srv.URL, tt.interval)
			p.Poll(context.Background(), f)
			f = reload(t, p, f.ID)
			if !f.Primed || f.ETag != `"v1"` || f.Title != "Cổng thông tin" {
				t.Fatalf("after the first poll: %+v", f)
			}
			if got := f.NextPollAt.Sub(c.now()); got != tt.want {
				t.Fatalf("next poll in %s, want %s", got, tt.want)
			}
			c.set(f.NextPollAt)
			p.Poll(context.Background(), f)
			f = reload(t, p, f.ID)
			if got := f.NextPollAt.Sub(c.now()); got != tt.want {
				t.Fatalf("after a 304: next poll in %s, want %s (the stored TTL)", got, tt.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(conditional) != 2 || conditional[0] != "" || conditional[1] != `"v1"` {
				t.Fatalf("If-None-Match sent = %q, want none then the ETag", conditional)
			}
		})
	}
}

func TestPollDueGoesOnPastABrokenFeed(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>unclosed`)
	}))
	defer broken.Close()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Replace(rss, "%TTL%", "", 1))
	}))
	defer good.Close()
	b := addFeed(t, p, broken.URL, time.Minute)
	g := addFeed(t, p, good.URL, time.Minute)

	c.set(time.Now().Add(time.Minute)) // AddFeed makes feeds due at the database's clock
	n, err := p.PollDue(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("PollDue = %d, %v; want both feeds polled", n, err)
	}
	if f := reload(t, p, b.ID); f.ConsecutiveFailures != 1 || !strings.Contains(f.LastError, "malformed feed") {
		t.Fatalf("broken feed: failures %d, error %q", f.ConsecutiveFailures, f.LastError)
	}
	if f := reload(t, p, g.ID); !f.Primed || f.ConsecutiveFailures != 0 {
		t.Fatalf("good feed: %+v", f)
	}
	if n, err := p.PollDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("second PollDue at the same time = %d, %v; want nothing due", n, err)
	}
}

func TestPollPermanentRedirectUpdatesURL(t *testing.T) {
	t.Parallel()
	p, _ := newPoller(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Replace(rss, "%TTL%", "", 1))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := addFeed(t, p, srv.URL+"/old", time.Minute)
	p.Poll(context.Background(), f)
	if got := reload(t, p, f.ID).URL; got != srv.URL+"/new" {
		t.Fatalf("url = %q, want the permanent redirect's target", got)
	}
}

func TestBackoffIsCapped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		interval time.Duration
		n        int
		want     time.Duration
	}{
		{time.Second, 1, time.Second},
		{time.Second, 4, 8 * time.Second},
		{5 * time.Minute, 30, maxBackoff},
		{12 * time.Hour, 3, 12 * time.Hour}, // never sooner than the interval
	} {
		got := backoff(tt.interval, tt.n)
		if got < tt.want || got > tt.want+tt.want/10 {
			t.Errorf("backoff(%s, %d) = %s, want %s plus up to 10%%", tt.interval, tt.n, got, tt.want)
		}
	}
}

// panicky is a fetcher with a bug: it panics on every fetch.
type panicky struct{ calls int }

func (f *panicky) Fetch(context.Context, feeds.Request, time.Time) (*feeds.Result, error) {
	f.calls++
	var items []feeds.Item
	_ = items[f.calls] // index out of range, as a parser bug would
	return nil, nil
}

// A poll that panics is recovered, logged with its stack and recorded as a failure with
// backoff; after a few panics in a row the feed is disabled with the panic as its
// reason, instead of the process crashing on every poll.
func TestPollPanicIsRecoveredAndDisablesTheFeed(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	var logs strings.Builder
	var mu sync.Mutex
	p.Log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	p.MaxFailures = 10
	p.Fetcher = &panicky{}
	f := addFeed(t, p, "https://portal.example/rss", time.Minute)

	for i := 1; i <= maxPanics; i++ {
		c.set(reload(t, p, f.ID).NextPollAt)
		n, err := p.PollDue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("poll %d: polled %d, %v", i, n, err)
		}
		got := reload(t, p, f.ID)
		if got.ConsecutiveFailures != i || !strings.HasPrefix(got.LastError, "panic: runtime error: index out of range") {
			t.Fatalf("after panic %d: failures %d, last error %q", i, got.ConsecutiveFailures, got.LastError)
		}
		if i < maxPanics && (!got.Enabled || !got.NextPollAt.After(c.now())) {
			t.Fatalf("after panic %d: enabled %v, next poll %s at %s; want a later retry", i, got.Enabled, got.NextPollAt, c.now())
		}
	}
	got := reload(t, p, f.ID)
	if got.Enabled || !strings.Contains(got.DisabledReason, "disabled after 3 consecutive failures; last: panic: runtime error") {
		t.Fatalf("after %d panics: enabled %v, reason %q", maxPanics, got.Enabled, got.DisabledReason)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), `msg="feed poll panicked"`) || !strings.Contains(logs.String(), "scheduler.(*panicky).Fetch") {
		t.Fatalf("the panic was not logged with its stack:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// A poll abandoned because the leader stops (its context ends mid-fetch) hands the feed
// back, due at once, instead of leaving it claimed until the claim's lease ends: the
// next leader polls it without waiting minutes.
func TestAbandonedPollReleasesTheFeed(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the leader stops while the portal answers
		<-r.Context().Done()
	}))
	defer srv.Close()
	f := addFeed(t, p, srv.URL, time.Minute)
	c.set(reload(t, p, f.ID).NextPollAt)
	claimedAt := c.now()
	if n, err := p.PollDue(ctx); err != nil || n != 1 {
		t.Fatalf("polled %d, %v", n, err)
	}
	got := reload(t, p, f.ID)
	if !got.NextPollAt.Equal(claimedAt) || got.ConsecutiveFailures != 0 {
		t.Fatalf("after the abandoned poll: next poll %s (claimed at %s), failures %d; want it due again at once, no failure counted",
			got.NextPollAt, claimedAt, got.ConsecutiveFailures)
	}
}
