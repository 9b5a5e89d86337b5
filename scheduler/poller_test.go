package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/feeds"
	"loa/internal/alerttest"
	"loa/internal/dbtest"
	"loa/internal/logtest"
	"loa/internal/testclock"
	"loa/store"
)

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Cổng thông tin</title><link>https://portal.example/</link>%TTL%
<item><title>Bài một</title><link>https://portal.example/1</link><guid>1</guid><pubDate>Wed, 05 Jun 2024 07:00:00 +0700</pubDate></item>
</channel></rss>`

var t0 = time.Date(2024, 6, 5, 7, 0, 0, 0, time.UTC)

func newPoller(t testing.TB) (*Poller, *testclock.Clock) {
	t.Helper()
	c := testclock.New(t0)
	return &Poller{
		Store:       dbtest.Store(t),
		Fetcher:     feeds.NewFetcher(feeds.FetcherOptions{Timeout: 5 * time.Second}),
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:         c.Now,
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
		wait := f.NextPollAt.Sub(c.Now())
		if wait < wantWait || wait > wantWait+wantWait/10 {
			t.Fatalf("after failure %d: next poll in %s, want %s plus up to 10%% jitter", i+1, wait, wantWait)
		}
		c.Set(f.NextPollAt)
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
	if got := f.NextPollAt.Sub(c.Now()); got != time.Hour {
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
			if got := f.NextPollAt.Sub(c.Now()); got != tt.want {
				t.Fatalf("next poll in %s, want %s", got, tt.want)
			}
			c.Set(f.NextPollAt)
			p.Poll(context.Background(), f)
			f = reload(t, p, f.ID)
			if got := f.NextPollAt.Sub(c.Now()); got != tt.want {
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

	c.Set(time.Now().Add(time.Minute)) // AddFeed makes feeds due at the database's clock
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

// TestPollNeverShowsFeedCredentials: a feed URL's password and token parameters stay
// out of the logs, the "feed disabled" alert and the recorded error, through failures
// and a permanent redirect, while the stored URL keeps them (the feed must still work).
func TestPollNeverShowsFeedCredentials(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	logs := &logtest.Buffer{}
	p.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	alerts := &alerttest.Recorder{}
	p.Alert = alerts.Alert
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
		c.Set(broken.NextPollAt)
	}
	alerted := alerts.All()
	if broken.Enabled || len(alerted) != 1 {
		t.Fatalf("after %d failures: enabled %v, alerts %q", p.MaxFailures, broken.Enabled, alerted)
	}
	if !strings.Contains(alerted[0].String(), "/broken?access_token=xxxxx&id=7") {
		t.Errorf("the alert should still say which feed:\n%s", alerted[0])
	}
	for what, s := range map[string]string{"logs": logs.String(), "alert": alerted[0].String(),
		"last error": broken.LastError, "disabled reason": broken.DisabledReason} {
		for _, secret := range []string{"Passw0rdValue", "T0kenValue", "K3yValue"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s show %s:\n%s", what, secret, s)
			}
		}
	}
}

// churningPortal serves a feed without GUIDs whose links carry a new session id and
// tracking parameters on every request.
type churningPortal struct {
	mu       sync.Mutex
	articles int // published so far, newest last
	requests int
}

func (c *churningPortal) publish(n int) { c.mu.Lock(); c.articles += n; c.mu.Unlock() }

func (c *churningPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests++
	session, n := c.requests, c.articles
	c.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Cổng</title><link>https://portal.example/</link>`)
	for k := n; k >= max(1, n-9); k-- { // the ten newest
		fmt.Fprintf(&b, `<item><title>Bài %d</title><link>https://portal.example/tin.jsp;jsessionid=S%04d?id=%d&amp;utm_source=rss&amp;utm_campaign=c%d</link>`+
			`<pubDate>%s</pubDate></item>`, k, session, k, session, t0.Add(time.Duration(k)*time.Hour).Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	io.WriteString(w, b.String())
}

// TestPollChurningLinksAnnouncesOnce: a feed whose links change on every request
// announces each article once, not on every poll.
func TestPollChurningLinksAnnouncesOnce(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	portal := &churningPortal{articles: 5}
	srv := httptest.NewServer(portal)
	defer srv.Close()
	f := addFeed(t, p, srv.URL, time.Minute)
	p.Poll(context.Background(), f) // primes: five articles seen
	portal.publish(1)
	for range 3 {
		c.Advance(time.Minute)
		p.Poll(context.Background(), reload(t, p, f.ID))
	}
	bs, err := p.Store.Broadcasts(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Title != "Bài 6" {
		var titles []string
		for _, b := range bs {
			titles = append(titles, b.Title)
		}
		t.Fatalf("broadcasts %q, want only Bài 6, once", titles)
	}
}

// TestPollDailyCap: one feed announces at most MaxPerDay items a local day; the rest
// are recorded as seen, the admins are told once that day, and the next local day
// (midnight in Vietnam, 17:00 UTC) starts afresh.
func TestPollDailyCap(t *testing.T) {
	t.Parallel()
	p, c := newPoller(t)
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	p.MaxPerDay, p.Location = 3, loc
	alerts := &alerttest.Recorder{}
	p.Alert = alerts.Alert
	portal := &churningPortal{articles: 1}
	srv := httptest.NewServer(portal)
	defer srv.Close()
	f := addFeed(t, p, srv.URL, time.Minute)
	c.Set(time.Date(2024, 6, 5, 16, 0, 0, 0, time.UTC)) // 23:00 in Vietnam
	p.Poll(context.Background(), f)                     // primes
	pollWith := func(newArticles int, at time.Time) store.PollResult {
		t.Helper()
		portal.publish(newArticles)
		c.Set(at)
		before, _ := p.Store.Broadcasts(context.Background(), 1000)
		p.Poll(context.Background(), reload(t, p, f.ID))
		after, _ := p.Store.Broadcasts(context.Background(), 1000)
		return store.PollResult{Broadcasts: make([]int64, len(after)-len(before))}
	}
	if got := len(pollWith(2, c.Now().Add(10*time.Minute)).Broadcasts); got != 2 {
		t.Fatalf("two new: %d announced", got)
	}
	if got := len(pollWith(3, c.Now().Add(10*time.Minute)).Broadcasts); got != 1 {
		t.Fatalf("three new, one left today: %d announced", got)
	}
	if got := len(pollWith(1, time.Date(2024, 6, 5, 16, 59, 0, 0, time.UTC)).Broadcasts); got != 0 {
		t.Fatalf("past the cap at 23:59: %d announced", got)
	}
	alerted := alerts.All()
	if len(alerted) != 1 || alerted[0].Key != "feed-day-cap:1:2024-06-05" || alerted[0].Text == "" {
		t.Fatalf("alerts %q: want one, keyed by the feed and the local day", alerted)
	}
	for _, want := range []string{"#1", "3 tin", "5/6/2024", "LOA_FEED_MAX_PER_DAY"} {
		if !strings.Contains(alerted[0].Text, want) {
			t.Errorf("alert lacks %q:\n%s", want, alerted[0].Text)
		}
	}
	if got := len(pollWith(1, time.Date(2024, 6, 5, 17, 0, 0, 0, time.UTC)).Broadcasts); got != 1 {
		t.Fatalf("00:00 the next day in Vietnam: %d announced, want the new one", got)
	}
	if raised := len(alerts.All()); raised != 1 {
		t.Errorf("alert raised %d times, want once: two polls held items back that day", raised)
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
		c.Set(reload(t, p, f.ID).NextPollAt)
		n, err := p.PollDue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("poll %d: polled %d, %v", i, n, err)
		}
		got := reload(t, p, f.ID)
		if got.ConsecutiveFailures != i || !strings.HasPrefix(got.LastError, "panic: runtime error: index out of range") {
			t.Fatalf("after panic %d: failures %d, last error %q", i, got.ConsecutiveFailures, got.LastError)
		}
		if i < maxPanics && (!got.Enabled || !got.NextPollAt.After(c.Now())) {
			t.Fatalf("after panic %d: enabled %v, next poll %s at %s; want a later retry", i, got.Enabled, got.NextPollAt, c.Now())
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
	c.Set(reload(t, p, f.ID).NextPollAt)
	claimedAt := c.Now()
	if n, err := p.PollDue(ctx); err != nil || n != 1 {
		t.Fatalf("polled %d, %v", n, err)
	}
	got := reload(t, p, f.ID)
	if !got.NextPollAt.Equal(claimedAt) || got.ConsecutiveFailures != 0 {
		t.Fatalf("after the abandoned poll: next poll %s (claimed at %s), failures %d; want it due again at once, no failure counted",
			got.NextPollAt, claimedAt, got.ConsecutiveFailures)
	}
}
