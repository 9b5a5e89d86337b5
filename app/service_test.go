package app_test

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

	"loa/app"
	"loa/config"
	"loa/internal/await"
	"loa/internal/dbtest"
	"loa/store"
)

// portal is a test feed server whose articles the test adds as it goes.
type portal struct {
	mu       sync.Mutex
	articles []int
	srv      *httptest.Server
}

func newPortal(t *testing.T, articles ...int) *portal {
	t.Helper()
	p := &portal{articles: articles}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *portal) publish(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.articles = append(p.articles, n)
}

func (p *portal) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Cổng thông tin Đảng bộ</title><link>` + p.srv.URL + `/</link>`)
	for i := len(p.articles) - 1; i >= 0; i-- { // newest first, as portals list them
		n := p.articles[i]
		fmt.Fprintf(&b, `<item><title>Bài viết số %d</title><link>%s/tin/%d</link><guid>tin-%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>Nội dung <b>%d</b></p>]]></description></item>`,
			n, p.srv.URL, n, n, time.Date(2024, 6, 5, 7, n, 0, 0, time.UTC).Format(time.RFC1123Z), n)
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	io.WriteString(w, b.String())
}

// instance is one in-process loa replica.
type instance struct {
	svc    *app.Service
	cancel context.CancelFunc
	done   chan error
	addr   string
}

// start runs a replica on the test database, with extra LOA_* settings.
func start(t *testing.T, dbURL string, extra ...string) *instance {
	t.Helper()
	return startAt(t, dbURL, nil, extra...)
}

// startAt runs a replica whose clock is now (nil: the real one).
func startAt(t *testing.T, dbURL string, now func() time.Time, extra ...string) *instance {
	t.Helper()
	env := map[string]string{
		"LOA_DATABASE_URL": dbURL,
		"LOA_HTTP_ADDR":    "127.0.0.1:0",
		"LOA_LOG_LEVEL":    "debug",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := &app.Service{
		Config:      cfg,
		Log:         slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Version:     "test",
		Now:         now,
		Tick:        50 * time.Millisecond,
		LeaderRetry: 50 * time.Millisecond,
		LeaderRenew: 200 * time.Millisecond,
		LeaderTTL:   time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{svc: svc, cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- svc.Run(ctx) }()
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	defer acancel()
	in.addr = svc.Addr(actx)
	if in.addr == "" {
		cancel()
		t.Fatalf("service did not start: %v", <-in.done)
	}
	t.Cleanup(func() { in.stop(t) })
	return in
}

// stop shuts the instance down and checks it stopped cleanly within the shutdown bound.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	if in.cancel == nil {
		return
	}
	in.cancel()
	in.cancel = nil
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("service stopped with error: %v", err)
		}
	case <-time.After(app.ShutdownTimeout + time.Second):
		t.Error("service did not stop within the shutdown timeout")
	}
}

func (in *instance) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + in.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// awaitStatus waits until path answers with code and returns that answer's body.
func (in *instance) awaitStatus(t *testing.T, path string, code int) string {
	t.Helper()
	var body string
	await.Until(t, fmt.Sprintf("%s to answer %d", path, code), func() bool {
		var got int
		got, body = in.get(t, path)
		return got == code
	})
	return body
}

func (in *instance) leading(t *testing.T) bool {
	_, body := in.get(t, "/metrics")
	return strings.Contains(body, "\nloa_leader 1\n")
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func addFeed(t *testing.T, st *store.Store, url string) store.Feed {
	t.Helper()
	f, err := st.AddFeed(context.Background(), store.NewFeed{URL: url, Topic: "news", Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// articleBroadcasts returns the broadcast titles, oldest first.
func articleBroadcasts(t *testing.T, st *store.Store) []string {
	t.Helper()
	bs, err := st.Broadcasts(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(bs) - 1; i >= 0; i-- {
		out = append(out, bs[i].Title)
	}
	return out
}

// wantArticles fails the test unless the broadcast titles, oldest first, print as want.
func wantArticles(t *testing.T, st *store.Store, want string) {
	t.Helper()
	if got := fmt.Sprint(articleBroadcasts(t, st)); got != want {
		t.Fatalf("broadcasts = %s, want %s", got, want)
	}
}

func primed(t *testing.T, st *store.Store, id int64) func() bool {
	return func() bool {
		f, err := st.Feed(context.Background(), id)
		return err == nil && f.Primed
	}
}

func hasBroadcasts(t *testing.T, st *store.Store, n int) func() bool {
	return func() bool { return len(articleBroadcasts(t, st)) >= n }
}

func TestServiceAnnouncesEachNewArticleOnceAcrossRestart(t *testing.T) {
	t.Parallel()
	st, dbURL := dbtest.StoreURL(t)
	p := newPortal(t, 1, 2, 3)
	f := addFeed(t, st, p.srv.URL+"/rss")

	a := start(t, dbURL)
	await.Until(t, "the first poll to prime the feed", primed(t, st, f.ID))
	if got := articleBroadcasts(t, st); len(got) != 0 {
		t.Fatalf("priming announced %v; the articles already there are not news", got)
	}
	p.publish(4)
	await.Until(t, "article 4 to be announced", hasBroadcasts(t, st, 1))
	a.stop(t)

	// Restart: the feed is polled again from scratch in a new process; what was seen
	// stays seen, and only article 5 is new.
	p.publish(5)
	start(t, dbURL)
	await.Until(t, "article 5 to be announced", hasBroadcasts(t, st, 2))
	p.publish(6)
	await.Until(t, "article 6 to be announced", hasBroadcasts(t, st, 3))
	wantArticles(t, st, "[Bài viết số 4 Bài viết số 5 Bài viết số 6]")
}

func TestTwoInstancesAnnounceOnceAndStandbyTakesOver(t *testing.T) {
	t.Parallel()
	st, dbURL := dbtest.StoreURL(t)
	p := newPortal(t, 1)
	f := addFeed(t, st, p.srv.URL+"/rss")

	a, b := start(t, dbURL), start(t, dbURL)
	await.Until(t, "one leader", func() bool { return a.leading(t) || b.leading(t) })
	if a.leading(t) && b.leading(t) {
		t.Fatal("both instances lead")
	}
	await.Until(t, "the feed to be primed", primed(t, st, f.ID))
	for n := 2; n <= 4; n++ {
		p.publish(n)
		await.Until(t, fmt.Sprintf("article %d", n), hasBroadcasts(t, st, n-1))
	}

	// The leader goes away; the standby takes over and goes on polling.
	leader, standby := a, b
	if b.leading(t) {
		leader, standby = b, a
	}
	leader.stop(t)
	await.Until(t, "the standby to lead", func() bool { return standby.leading(t) })
	p.publish(5)
	await.Until(t, "article 5", hasBroadcasts(t, st, 4))

	wantArticles(t, st, "[Bài viết số 2 Bài viết số 3 Bài viết số 4 Bài viết số 5]")
}

func TestHTTPEndpoints(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	in := start(t, dbURL)
	if code, body := in.get(t, "/healthz"); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/healthz = %d %s", code, body)
	}
	if code, body := in.get(t, "/readyz"); code != http.StatusOK || !strings.Contains(body, `"migrations":"current"`) {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	code, body := in.get(t, "/metrics")
	for _, m := range []string{"loa_feed_polls_total", "loa_feed_poll_duration_seconds", "loa_feed_items_new_total", "loa_leader"} {
		if !strings.Contains(body, m) {
			t.Errorf("/metrics (%d) lacks %s", code, m)
		}
	}
	if code, _ := in.get(t, "/nope"); code != http.StatusNotFound {
		t.Errorf("/nope = %d", code)
	}
}
