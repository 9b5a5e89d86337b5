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

// syncBuffer is a log sink safe for the poller's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPollNeverShowsFeedCredentials: a feed URL's password and token parameters stay
// out of the logs, the "feed disabled" alert and the recorded error, through failures
// and a permanent redirect, while the stored URL keeps them (the feed must still work).
func TestPollNeverShowsFeedCredentials(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	logs := &syncBuffer{}
	p.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var mu sync.Mutex
	var alerts []string
	p.Alert = func(_ context.Context, key, text string) {
		mu.Lock()
		defer mu.Unlock()
		alerts = append(alerts, key+" "+text)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new?token=T0kenValue&cat=5", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Replace(rss, "%TTL%", "", 1))
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	withCreds := strings.Replace(srv.URL, "http://", "http://admin:Passw0rdValue@", 1)

	moved := addFeed(t, p, withCreds+"/old?apikey=K3yValue", time.Minute)
	p.Poll(context.Background(), moved)
	if got := reload(t, p, moved.ID).URL; got != withCreds+"/new?token=T0kenValue&cat=5" {
		t.Fatalf("stored url = %q, want the redirect's target with its credentials", got)
	}
	if !strings.Contains(logs.String(), "new_url=") {
		t.Fatalf("no redirect log line:\n%s", logs)
	}

	broken := addFeed(t, p, withCreds+"/broken?access_token=T0kenValue&id=7", time.Minute)
	for range p.MaxFailures {
		p.Poll(context.Background(), broken)
		broken = reload(t, p, broken.ID)
		c.set(broken.NextPollAt)
	}
	if broken.Enabled || len(alerts) != 1 {
		t.Fatalf("after %d failures: enabled %v, alerts %q", p.MaxFailures, broken.Enabled, alerts)
	}
	if !strings.Contains(alerts[0], "/broken?access_token=xxxxx&id=7") {
		t.Errorf("the alert should still say which feed:\n%s", alerts[0])
	}
	for what, s := range map[string]string{"logs": logs.String(), "alert": alerts[0],
		"last error": broken.LastError, "disabled reason": broken.DisabledReason} {
		for _, secret := range []string{"Passw0rdValue", "T0kenValue", "K3yValue"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s show %s:\n%s", what, secret, s)
			}
		}
	}
}
