package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/admin"
	"loa/internal/dbtest"
	"loa/internal/testclock"
	"loa/store"
)

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// adminSet is who is an admin, changeable while the test runs.
type adminSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (a *adminSet) set(who string, ok bool) { a.mu.Lock(); defer a.mu.Unlock(); a.m[who] = ok }
func (a *adminSet) check(_ context.Context, channel, userID string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.m[channel+":"+userID], nil
}

// rig is a console on its own schema, served by httptest, with a fixed clock.
type rig struct {
	t      *testing.T
	st     *store.Store
	clock  *testclock.Clock
	admins *adminSet
	links  *Links
	srv    *httptest.Server
	c      *Console
}

// newRig starts a console on a test schema; opts adjust the console before it serves.
func newRig(t *testing.T, opts ...func(*Console)) *rig {
	t.Helper()
	st := dbtest.Store(t)
	r := &rig{t: t, st: st, clock: testclock.New(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)),
		admins: &adminSet{m: map[string]bool{"telegram:1001": true}}}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	r.c = &Console{Store: st, Ops: &admin.Ops{Store: st, Location: loc, Now: r.clock.Now}, Location: loc, Now: r.clock.Now, IsAdmin: r.admins.check, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	for _, o := range opts {
		o(r.c)
	}
	r.srv = httptest.NewServer(r.c.Handler())
	t.Cleanup(r.srv.Close)
	r.c.PublicURL = r.srv.URL
	r.links = &Links{Store: st, PublicURL: r.srv.URL, IsAdmin: r.admins.check, Now: r.clock.Now}
	return r
}

// client is a browser without JavaScript: cookies, no redirects followed
// automatically unless asked.
func (r *rig) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (r *rig) link(channel, user string) string {
	r.t.Helper()
	l, err := r.links.SignInLink(context.Background(), channel, user)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values, hdr ...string) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return m[1]
}

// signIn signs a new client in with a fresh link and returns it with the overview.
func (r *rig) signIn(channel, user string) (*http.Client, string) {
	r.t.Helper()
	c := r.client()
	link := r.link(channel, user)
	if code, body := do(r.t, c, "GET", link, nil); code != 200 || !strings.Contains(body, "Đăng nhập</button>") {
		r.t.Fatalf("link page: %d\n%s", code, body)
	}
	code, body := do(r.t, c, "POST", link, url.Values{})
	if code != 200 || !strings.Contains(body, "<h1>Tổng quan</h1>") {
		r.t.Fatalf("after sign-in: %d\n%s", code, body)
	}
	return c, body
}

func TestSignInUsesTheLinkOnlyOnItsButton(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client()
	link := r.link("telegram", "1001")
	// A chat app's preview fetches the link: twice, nothing used.
	for range 2 {
		code, body := do(t, r.client(), "GET", link, nil)
		if code != 200 || !strings.Contains(body, `<form method="post" action="/dang-nhap/`) {
			t.Fatalf("GET link: %d\n%s", code, body)
		}
	}
	code, body := do(t, c, "POST", link, url.Values{})
	if code != 200 || !strings.Contains(body, "Tổng quan") || !strings.Contains(body, "Đăng xuất") {
		t.Fatalf("sign-in: %d\n%s", code, body)
	}
	u, _ := url.Parse(r.srv.URL)
	cookies := c.Jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != "loa_session" {
		t.Fatalf("cookies = %v", cookies)
	}
	// The link is used: a second POST and a GET say so.
	for _, m := range []string{"GET", "POST"} {
		code, body := do(t, r.client(), m, link, url.Values{})
		if code != http.StatusGone || !strings.Contains(body, "Liên kết đã được dùng") {
			t.Fatalf("%s used link: %d\n%s", m, code, body)
		}
	}
	// Expired: 10 minutes after it was made.
	late := r.link("telegram", "1001")
	r.clock.Advance(LinkLifetime)
	if code, body := do(t, r.client(), "POST", late, url.Values{}); code != http.StatusGone || !strings.Contains(body, "hết hạn") {
		t.Fatalf("expired link: %d\n%s", code, body)
	}
	if code, body := do(t, r.client(), "GET", r.srv.URL+"/dang-nhap/abc", nil); code != http.StatusNotFound || !strings.Contains(body, "không hợp lệ") {
		t.Fatalf("unknown link: %d\n%s", code, body)
	}
	// The audit log names the admin.
	log, err := r.st.AuditLog(context.Background(), 10)
	if err != nil || len(log) != 1 || log[0].Actor != "telegram:1001" || log[0].Action != "web.signin" {
		t.Fatalf("audit = %+v, %v", log, err)
	}
}

func TestSignInLinkRefusedForNonAdmins(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if _, err := r.links.SignInLink(context.Background(), "zalo", "stranger"); err == nil || !strings.Contains(err.Error(), "not an admin") {
		t.Fatalf("link for a non-admin: %v", err)
	}
	// A link made while they were an admin, used after their removal.
	r.admins.set("zalo:x", true)
	link := r.link("zalo", "x")
	r.admins.set("zalo:x", false)
	if code, body := do(t, r.client(), "POST", link, url.Values{}); code != http.StatusForbidden || !strings.Contains(body, "Không phải quản trị viên") {
		t.Fatalf("removed admin's link: %d\n%s", code, body)
	}
	if _, err := (&Links{Store: r.st, IsAdmin: r.admins.check}).SignInLink(context.Background(), "telegram", "1001"); err != ErrNoPublicURL {
		t.Fatalf("without a public URL: %v", err)
	}
}

func TestSessionsEnd(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c, _ := r.signIn("telegram", "1001")

	// A forged cookie is nobody.
	forged := r.client()
	u, _ := url.Parse(r.srv.URL)
	forged.Jar.SetCookies(u, []*http.Cookie{{Name: "loa_session", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}})
	if code, body := do(t, forged, "GET", r.srv.URL+"/", nil); code != http.StatusUnauthorized || !strings.Contains(body, "không còn hiệu lực") {
		t.Fatalf("forged cookie: %d\n%s", code, body)
	}
	// No cookie at all: how to sign in.
	if code, body := do(t, r.client(), "GET", r.srv.URL+"/", nil); code != http.StatusUnauthorized || !strings.Contains(body, "/web") {
		t.Fatalf("no cookie: %d\n%s", code, body)
	}

	// Idle: 12 hours without a page ends it; a page within them moves the expiry.
	r.clock.Advance(IdleTimeout - time.Minute)
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != 200 {
		t.Fatalf("within the idle time: %d", code)
	}
	r.clock.Advance(IdleTimeout - time.Minute)
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != 200 {
		t.Fatalf("activity did not extend the session: %d", code)
	}
	// Polling progress is not activity.
	r.clock.Advance(IdleTimeout - time.Minute)
	if code, _ := do(t, c, "GET", r.srv.URL+"/api/tien-do?id=1", nil); code != 200 {
		t.Fatalf("progress: %d", code)
	}
	r.clock.Advance(2 * time.Minute)
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != http.StatusUnauthorized {
		t.Fatalf("idle session still accepted: %d", code)
	}

	// Absolute: 7 days, however active.
	c, _ = r.signIn("telegram", "1001")
	for range 15 {
		r.clock.Advance(11 * time.Hour)
		if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != 200 {
			t.Fatalf("active session refused early: %d", code)
		}
	}
	r.clock.Advance(MaxLifetime - 15*11*time.Hour)
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != http.StatusUnauthorized {
		t.Fatalf("session past its lifetime accepted: %d", code)
	}

	// Removed admin: the next request ends it.
	c, _ = r.signIn("telegram", "1001")
	r.admins.set("telegram:1001", false)
	if code, body := do(t, c, "GET", r.srv.URL+"/", nil); code != http.StatusForbidden || !strings.Contains(body, "không còn là quản trị viên") {
		t.Fatalf("removed admin: %d\n%s", code, body)
	}
	r.admins.set("telegram:1001", true)
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != http.StatusUnauthorized {
		t.Fatalf("the removed admin's session came back: %d", code)
	}
}

func TestFormsNeedTheSessionsCSRFToken(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c, page := r.signIn("telegram", "1001")
	token := csrfOf(t, page)
	other, otherPage := r.signIn("telegram", "1001")
	_ = other
	for _, f := range []url.Values{{}, {"csrf": {""}}, {"csrf": {csrfOf(t, otherPage)}}} {
		if code, body := do(t, c, "POST", r.srv.URL+"/dang-xuat", f); code != http.StatusForbidden || !strings.Contains(body, "Biểu mẫu không hợp lệ") {
			t.Fatalf("sign-out with %v: %d\n%s", f, code, body)
		}
	}
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != 200 {
		t.Fatalf("a refused form ended the session: %d", code)
	}
	code, body := do(t, c, "POST", r.srv.URL+"/dang-xuat", url.Values{"csrf": {token}})
	if code != 200 || !strings.Contains(body, "Bạn đã đăng xuất") {
		t.Fatalf("sign-out: %d\n%s", code, body)
	}
	if code, _ := do(t, c, "GET", r.srv.URL+"/", nil); code != http.StatusUnauthorized {
		t.Fatalf("signed-out session accepted: %d", code)
	}
}

func TestFailedSignInsAreLimitedPerClient(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	bad := r.srv.URL + "/dang-nhap/nope"
	// Behind the trusted proxy (127.0.0.1), each client is the address it reports.
	for i := range maxFailures {
		if code, _ := do(t, r.client(), "POST", bad, url.Values{}, "X-Forwarded-For", "203.0.113.7"); code != http.StatusNotFound {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	good := r.link("telegram", "1001")
	if code, body := do(t, r.client(), "POST", good, url.Values{}, "X-Forwarded-For", "203.0.113.7"); code != http.StatusTooManyRequests ||
		!strings.Contains(body, "Quá nhiều lần thử") {
		t.Fatalf("over the limit: %d\n%s", code, body)
	}
	// Another client (a spoofed left-most entry does not help the first).
	if code, _ := do(t, r.client(), "GET", good, nil, "X-Forwarded-For", "203.0.113.7, 198.51.100.2"); code != 200 {
		t.Fatalf("another client refused: %d", code)
	}
	if code, _ := do(t, r.client(), "GET", good, nil, "X-Forwarded-For", "198.51.100.2, 203.0.113.7"); code != http.StatusTooManyRequests {
		t.Fatalf("spoofing the left of X-Forwarded-For escaped the limit: %d", code)
	}
	// The window ends.
	r.clock.Advance(failureWindow)
	if code, _ := do(t, r.client(), "GET", r.link("telegram", "1001"), nil, "X-Forwarded-For", "203.0.113.7"); code != 200 {
		t.Fatalf("after the window: %d", code)
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	c := &Console{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, tt := range []struct{ remote, xff, want string }{
		{"192.0.2.1:5000", "203.0.113.7", "192.0.2.1"},                     // not a proxy: its header is ignored
		{"10.0.0.2:5000", "203.0.113.7", "203.0.113.7"},                    // the proxy's word
		{"10.0.0.2:5000", "1.2.3.4, 203.0.113.7, 10.0.0.3", "203.0.113.7"}, // two proxies; a forged left entry
		{"10.0.0.2:5000", "", "10.0.0.2"},
		{"10.0.0.2:5000", "garbage, 203.0.113.7", "203.0.113.7"},
		{"10.0.0.2:5000", "203.0.113.7, garbage", "10.0.0.2"},
		{"[::ffff:10.0.0.2]:5000", "203.0.113.7", "203.0.113.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := c.clientAddr(r); got != tt.want {
			t.Errorf("%s + %q = %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}

func TestSecurityHeadersAndCookie(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	resp, err := http.Get(r.srv.URL + "/dang-nhap")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("headers = %v", resp.Header)
	}
	// Under https: Secure, HttpOnly, SameSite=Lax, __Host- prefix.
	r.c.PublicURL = "https://loa.example.vn"
	rec := httptest.NewRecorder()
	r.c.setSessionCookie(rec, "x")
	sc := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-loa_session=x", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("cookie %q lacks %q", sc, want)
		}
	}
}
