package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loa/admin"
	"loa/internal/dbtest"
	"loa/store"
)

const goodFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Đảng bộ Khối &amp; Doanh nghiệp</title><link>https://portal.example/</link>
<item><title>Bài hai</title><link>https://portal.example/2</link><guid>2</guid><pubDate>Thu, 06 Jun 2024 07:00:00 +0700</pubDate></item>
<item><title>Bài một</title><link>https://portal.example/1</link><guid>1</guid><pubDate>Wed, 05 Jun 2024 07:00:00 +0700</pubDate></item>
</channel></rss>`

// cli runs loa commands in-process against one test schema.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, env: map[string]string{"LOA_DATABASE_URL": dbtest.URL(t)}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return c.env[k] })
	return code, out.String(), errb.String()
}

// ok runs a command that must succeed and returns its output.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("loa %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// fails runs a command that must fail with exit code exit and a message containing
// want, and returns the message for what else a test looks for in it. A miss is an
// Errorf: a table of refusals reports every case.
func (c *cli) fails(exit int, want string, args ...string) string {
	c.t.Helper()
	code, _, errs := c.run(args...)
	if code != exit || !strings.Contains(errs, want) {
		c.t.Errorf("loa %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), code, errs, exit, want)
	}
	return errs
}

// usageError runs a command line that must not be understood (exit 2), saying want.
func (c *cli) usageError(want string, args ...string) string {
	c.t.Helper()
	return c.fails(exitUsage, want, args...)
}

// store opens the CLI's test schema, for rows a test makes itself.
func (c *cli) store() *store.Store {
	c.t.Helper()
	return dbtest.StoreAt(c.t, c.env["LOA_DATABASE_URL"])
}

func (c *cli) feeds() []admin.FeedView {
	c.t.Helper()
	var fs []admin.FeedView
	if err := json.Unmarshal([]byte(c.ok("feeds", "list", "--json")), &fs); err != nil {
		c.t.Fatal(err)
	}
	return fs
}

func servePaths(t *testing.T, paths map[string]func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for p, h := range paths {
		mux.HandleFunc(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func body(s string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) }
}

func TestFeedsAddListRemove(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["LOA_FEED_BACKLOG"] = "1"
	srv := servePaths(t, map[string]func(http.ResponseWriter, *http.Request){"/rss": body(goodFeed)})

	out := c.ok("feeds", "add", srv.URL+"/rss", "--topic", "tin-tuc", "--interval", "2s")
	for _, want := range []string{"added feed 1: Đảng bộ Khối & Doanh nghiệp", "topic: tin-tuc, every 2s", "2 items recorded as seen, 1 announced"} {
		if !strings.Contains(out, want) {
			t.Errorf("add output lacks %q:\n%s", want, out)
		}
	}
	fs := c.feeds()
	if len(fs) != 1 || fs[0].URL != srv.URL+"/rss" || fs[0].Topic != "tin-tuc" || fs[0].IntervalSeconds != 2 ||
		!fs[0].Enabled || fs[0].LastPolledAt == nil || fs[0].ConsecutiveFailures != 0 {
		t.Fatalf("feeds list --json = %+v", fs)
	}
	if table := c.ok("feeds", "list"); !strings.Contains(table, "tin-tuc") || !strings.Contains(table, "ID") {
		t.Fatalf("feeds list:\n%s", table)
	}

	c.fails(1, "is already configured", "feeds", "add", srv.URL+"/rss")
	c.ok("feeds", "remove", "1")
	if fs := c.feeds(); len(fs) != 0 {
		t.Fatalf("after remove: %+v", fs)
	}
	c.fails(1, "feed 1: not found", "feeds", "remove", "1")
}

func TestFeedsAddRefusesWhatIsNotAFeed(t *testing.T) {
	t.Parallel()
	srv := servePaths(t, map[string]func(http.ResponseWriter, *http.Request){
		"/html":      body(`<!DOCTYPE html><html><head><title>Cổng thông tin</title></head><body><p>Xin chào</p></body></html>`),
		"/malformed": body(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>bị cắt`),
		"/big":       body(strings.Repeat("x", 4096)),
		"/missing":   http.NotFound,
	})
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(body(goodFeed)))
	t.Cleanup(tlsSrv.Close)

	tests := []struct {
		name string
		url  string
		env  map[string]string
		want string
	}{
		{"404", srv.URL + "/missing", nil, "HTTP 404 Not Found"},
		{"HTML page", srv.URL + "/html", nil, "not an RSS, Atom or JSON feed"},
		{"malformed XML", srv.URL + "/malformed", nil, "malformed feed"},
		{"TLS error", tlsSrv.URL + "/rss", nil, "certificate"},
		{"body over the cap", srv.URL + "/big", map[string]string{"LOA_FEED_MAX_BYTES": "1024"}, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			for k, v := range tt.env {
				c.env[k] = v
			}
			if errs := c.fails(1, "feed not added: ", "feeds", "add", tt.url); !strings.Contains(errs, tt.want) {
				t.Fatalf("stderr %q; want a refusal mentioning %q", errs, tt.want)
			}
			if fs := c.feeds(); len(fs) != 0 {
				t.Fatalf("a refused feed was stored: %+v", fs)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"feeds"}, "feeds needs a subcommand"},
		{[]string{"feeds", "add"}, "feeds add needs URL"},
		{[]string{"feeds", "add", "ftp://x/feed"}, `"ftp://x/feed" is not an http:// or https:// URL`},
		{[]string{"feeds", "add", "https://x/feed", "--interval", "500ms"}, "want a duration of at least 1s"},
		{[]string{"feeds", "add", "https://x/feed", "--interval", "5"}, "want a duration of at least 1s"},
		{[]string{"feeds", "add", "https://x/feed", "--topic", "<b>"}, "use letters, digits"},
		{[]string{"feeds", "add", "https://x/feed", "--topic", "all"}, `topic "all" is reserved`},
		{[]string{"feeds", "add", "https://x/feed", "--colour", "red"}, "flag provided but not defined: -colour"},
		{[]string{"feeds", "remove", "abc"}, `"abc" is not a feed id`},
		{[]string{"feeds", "list", "extra"}, "feeds list takes no arguments"},
	}
	for _, tt := range tests {
		if errs := c.usageError(tt.want, tt.args...); !strings.Contains(errs, "loa help") {
			t.Errorf("loa %s: stderr %q does not point at loa help", strings.Join(tt.args, " "), errs)
		}
	}
}

func TestBadConfigurationIsReported(t *testing.T) {
	t.Parallel()
	c := &cli{t: t, env: map[string]string{"LOA_DATABASE_URL": "postgres://loa:hunter2@127.0.0.1:1/loa", "LOA_TIMEZONE": "Mars/Olympus"}}
	if errs := c.fails(1, "LOA_TIMEZONE", "migrate"); strings.Contains(errs, "hunter2") {
		t.Fatalf("the password shows: %q", errs)
	}
	delete(c.env, "LOA_TIMEZONE")
	if errs := c.fails(1, "connect to database", "migrate"); strings.Contains(errs, "hunter2") {
		t.Fatalf("unreachable database: the password shows: %q", errs)
	}
}

func TestFeedsImportExport(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	opml := filepath.Join(dir, "in.opml")
	if err := os.WriteFile(opml, []byte(`<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Thời sự">
    <outline text="Tỉnh ủy" type="rss" xmlUrl="https://tinhuy.example.vn/rss"/>
  </outline>
  <outline text="Cổng" type="rss" xmlUrl="https://portal.example.vn/rss"/>
</body></opml>`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := c.ok("feeds", "import", opml)
	if !strings.Contains(out, "imported 2 feeds, skipped 0") {
		t.Fatalf("import: %s", out)
	}
	if out := c.ok("feeds", "import", opml); !strings.Contains(out, "imported 0 feeds, skipped 2") {
		t.Fatalf("second import: %s", out)
	}
	fs := c.feeds()
	if len(fs) != 2 || fs[0].Topic != "Thời sự" || fs[1].Topic != admin.DefaultFeedTopic {
		t.Fatalf("imported feeds = %+v", fs)
	}

	// Export, then import the export into a fresh database: the same feeds.
	exported := filepath.Join(dir, "out.opml")
	if err := os.WriteFile(exported, []byte(c.ok("feeds", "export")), 0o600); err != nil {
		t.Fatal(err)
	}
	other := newCLI(t)
	other.ok("feeds", "import", exported)
	got := other.feeds()
	if len(got) != 2 || got[0].URL != fs[0].URL || got[0].Topic != fs[0].Topic || got[1].URL != fs[1].URL {
		t.Fatalf("round trip: %+v, want %+v", got, fs)
	}

	// A file with one bad entry imports nothing.
	bad := filepath.Join(dir, "bad.opml")
	if err := os.WriteFile(bad, []byte(`<opml version="2.0"><body>
  <outline text="ok" xmlUrl="https://fine.example.vn/rss"/>
  <outline text="bad" xmlUrl="https://fine.example.vn/rss2" category="&lt;script&gt;"/>
</body></opml>`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := other.run("feeds", "import", bad)
	if code == 0 || !strings.Contains(errs, "nothing imported") {
		t.Fatalf("bad file: exit %d, %s", code, errs)
	}
	if n := len(other.feeds()); n != 2 {
		t.Fatalf("a bad file changed the feeds: %d", n)
	}
	other.fails(1, "no such file", "feeds", "import", filepath.Join(dir, "missing.opml"))
}

// TestFeedsCredentialsStayHidden: a feed URL's password and token parameters appear in
// no output of loa feeds but the export, whose OPML imports back to the same feeds.
func TestFeedsCredentialsStayHidden(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := servePaths(t, map[string]func(http.ResponseWriter, *http.Request){
		"/rss": func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "admin" || p != "Passw0rdValue" || r.URL.Query().Get("token") != "T0kenValue" {
				http.Error(w, "who are you", http.StatusUnauthorized)
				return
			}
			io.WriteString(w, goodFeed)
		},
	})
	secretURL := strings.Replace(srv.URL, "http://", "http://admin:Passw0rdValue@", 1) + "/rss?token=T0kenValue&cat=5"
	secrets := []string{"Passw0rdValue", "T0kenValue"}
	hidden := func(what, s string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows %s:\n%s", what, secret, s)
			}
		}
	}
	hidden("feeds add", c.ok("feeds", "add", secretURL))
	_, _, errs := c.run("feeds", "add", secretURL)
	hidden("feeds add of a known feed", errs)
	if !strings.Contains(errs, "is already configured") {
		t.Errorf("second add: %s", errs)
	}
	_, _, errs = c.run("feeds", "add", strings.Replace(secretURL, "T0kenValue", "T0kenValueWrong", 1))
	hidden("feeds add of a failing feed", errs)
	if !strings.Contains(errs, "401") {
		t.Errorf("failing add: %s", errs)
	}
	table := c.ok("feeds", "list")
	hidden("feeds list", table)
	if !strings.Contains(table, "/rss?token=xxxxx&cat=5") {
		t.Errorf("feeds list should show the URL, redacted:\n%s", table)
	}
	hidden("feeds list --json", c.ok("feeds", "list", "--json"))

	exported := c.ok("feeds", "export")
	if !strings.Contains(exported, "Passw0rdValue") || !strings.Contains(exported, "T0kenValue") {
		t.Fatalf("the export must keep the credentials:\n%s", exported)
	}
	file := filepath.Join(t.TempDir(), "feeds.opml")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	other := newCLI(t)
	hidden("feeds import", other.ok("feeds", "import", file))
	if again := other.ok("feeds", "export"); !strings.Contains(again, `xmlUrl="`+strings.ReplaceAll(secretURL, "&", "&amp;")+`"`) {
		t.Errorf("the import lost the credentials:\n%s", again)
	}
}

// TestNotFoundNamesTheRightList: an id that does not exist is answered with the list
// that shows the ids of its kind, not always the feeds'.
func TestNotFoundNamesTheRightList(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"feeds", "remove", "7"}, "(see loa feeds list)"},
		{[]string{"feeds", "enable", "7"}, "(see loa feeds list)"},
		{[]string{"announcements", "cancel", "7"}, "(see loa announcements list)"},
		{[]string{"broadcasts", "show", "7"}, "(see loa broadcasts list)"},
		{[]string{"broadcasts", "cancel", "7"}, "(see loa broadcasts list)"},
		{[]string{"subscribers", "resume", "7"}, "(see loa subscribers list)"},
	} {
		c.fails(1, "not found "+tt.want, tt.args...)
	}
}

// TestFeedsEditDisableAndAudit: the commands added with package admin (feeds edit,
// feeds disable) and the audit log's front end and filters.
func TestFeedsEditDisableAndAudit(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["USER"] = "vanphong"
	srv := servePaths(t, map[string]func(http.ResponseWriter, *http.Request){"/rss": body(goodFeed)})
	c.ok("feeds", "add", srv.URL+"/rss")
	if out := c.ok("feeds", "edit", "1", "--topic", "tin-tinh", "--interval", "1h"); !strings.Contains(out, "topic tin-tinh, every 1h0m0s") {
		t.Errorf("edit: %s", out)
	}
	if out := c.ok("feeds", "disable", "1"); !strings.Contains(out, "disabled feed 1") {
		t.Errorf("disable: %s", out)
	}
	if fs := c.feeds(); len(fs) != 1 || fs[0].Enabled || fs[0].DisabledReason != "disabled by cli:vanphong" || fs[0].Version != 2 {
		t.Errorf("after edit and disable: %+v", fs)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"feeds", "edit", "1"}, "nothing to change"},
		{[]string{"feeds", "edit", "1", "--topic", "all"}, `topic "all" is reserved`},
		{[]string{"feeds", "edit", "x", "--topic", "a"}, `"x" is not a feed id`},
	} {
		c.usageError(tt.want, tt.args...)
	}
	c.fails(1, "feed 9: not found (see loa feeds list)", "feeds", "disable", "9")
	var entries []struct{ Actor, Via, Action, Detail string }
	if err := json.Unmarshal([]byte(c.ok("audit", "--json", "--via", "cli")), &entries); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Actor+" "+e.Via)
	}
	if strings.Join(got, "; ") != "feed.disable cli:vanphong cli; feed.edit cli:vanphong cli; feed.add cli:vanphong cli" ||
		entries[1].Detail != "version 2: topic, interval" {
		t.Errorf("audit --via cli = %+v", entries)
	}
	if out := c.ok("audit", "--via", "web"); strings.Contains(out, "feed.") {
		t.Errorf("audit --via web lists the CLI's entries:\n%s", out)
	}
}
