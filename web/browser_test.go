package web_test

// Browser tests: the whole service runs in-process (app.Service, a test schema, the
// fake Telegram Bot API) and one headless Chromium, shared by the package, drives its
// pages. They are required when CI=true and skipped, with a one-line reason, where no
// Chromium can be had (scripts/ensure-chromium installs Debian's).
//
// go test ./web/ -run Browser -screenshots writes the main pages to docs/screenshots/,
// with a fixed clock and data.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"loa/app"
	"loa/chat"
	"loa/config"
	"loa/internal/dbtest"
	"loa/internal/telegramtest"
	"loa/store"
	"loa/web"
)

var screenshots = flag.Bool("screenshots", false, "write screenshots of the main pages to docs/screenshots/")

// browser is the package's one Chromium, started by the first test that needs it.
var browser struct {
	once   sync.Once
	ctx    context.Context // the allocator's: each test opens a tab (a new target) in it
	cancel func()
	skip   string // why there is no browser
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// chromium finds the browser binary.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a new tab of the package's browser for the test, closed when it ends. It
// skips the test where no Chromium can be had, unless CI=true. Browser tests run one
// after the other (not t.Parallel): each starts a whole service, and on a small
// machine a page waiting for the CPU is slower than the test it shares it with.
func tab(t *testing.T) context.Context {
	t.Helper()
	browser.once.Do(func() {
		path := chromium()
		if path == "" {
			browser.skip = "no Chromium found (run scripts/ensure-chromium)"
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // root in CI containers
			chromedp.WindowSize(1280, 900),
			chromedp.Flag("lang", "vi-VN"),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil { // starts the browser
			bcancel()
			acancel()
			browser.skip = fmt.Sprintf("Chromium at %s does not start: %v", path, err)
			return
		}
		browser.ctx = bctx
		browser.cancel = func() { bcancel(); acancel() }
	})
	if browser.skip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests are required in CI: %s", browser.skip)
		}
		t.Skip(browser.skip)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancel() })
	return ctx
}

// service is one in-process replica on its own schema, talking to a fake Telegram,
// with LOA_PUBLIC_URL pointing at itself.
type service struct {
	t     *testing.T
	dbURL string
	st    *store.Store
	fake  *telegramtest.Server
	url   string
	links *web.Links
}

// adminID is the Telegram user id of the test's admin (LOA_ADMINS).
const adminID = 1001

func startService(t *testing.T, now func() time.Time) *service {
	t.Helper()
	fake := telegramtest.NewServer(t)
	fake.AddChat(telegramtest.Chat{ID: adminID, Type: "private", FirstName: "Chánh Văn phòng"})
	dbURL := dbtest.URL(t)
	st := dbtest.StoreAt(t, dbURL)
	// A free port, so that LOA_PUBLIC_URL can name it before the service starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{
		"LOA_DATABASE_URL":          dbURL,
		"LOA_HTTP_ADDR":             addr,
		"LOA_PUBLIC_URL":            "http://" + addr,
		"LOA_TELEGRAM_TOKEN":        fake.Token(),
		"LOA_TELEGRAM_API_ENDPOINT": fake.Endpoint(),
		"LOA_ADMINS":                fmt.Sprint(adminID),
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := &app.Service{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Now: now,
		Tick: 50 * time.Millisecond, LeaderRetry: 50 * time.Millisecond, LeaderRenew: 200 * time.Millisecond, LeaderTTL: time.Second}
	if testing.Verbose() {
		svc.Log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	actx, acancel := context.WithTimeout(ctx, 15*time.Second)
	defer acancel()
	if svc.Addr(actx) == "" {
		cancel()
		t.Fatalf("service did not start: %v", <-done)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("service stopped with %v", err)
		}
	})
	// The admin check of the service: the layer's, with LOA_ADMINS.
	ops := app.NewOps(cfg, st, "test")
	return &service{t: t, dbURL: dbURL, st: st, fake: fake, url: "http://" + addr,
		links: &web.Links{Store: st, PublicURL: "http://" + addr, IsAdmin: ops.IsAdmin, Now: now}}
}

// link makes a sign-in link for a Telegram user, as `loa web link` does.
func (s *service) link(user int) string {
	s.t.Helper()
	l, err := s.links.SignInLink(context.Background(), "telegram", fmt.Sprint(user))
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// signIn opens a link and presses its button.
func signIn(t *testing.T, ctx context.Context, link string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(link),
		chromedp.WaitVisible(`//button[normalize-space()="Đăng nhập"]`),
		chromedp.Click(`//button[normalize-space()="Đăng nhập"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Tổng quan"]`))
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(s)
}

// shot writes a screenshot of the page to docs/screenshots/name.png when asked.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*screenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestBrowserSignInWithLinkAndButton(t *testing.T) {
	ctx := tab(t)
	s := startService(t, nil)
	// The admin asks the bot for a link in a private chat; a member asking is refused.
	admin := telegramtest.User{ID: adminID, FirstName: "Chánh Văn phòng"}
	stranger := telegramtest.User{ID: 9, FirstName: "Khách"}
	s.fake.AddChat(telegramtest.Chat{ID: 9, Type: "private", FirstName: "Khách"})
	s.fake.PushUpdate(s.fake.Command(9, stranger, "/web"))
	s.fake.PushUpdate(s.fake.Command(adminID, admin, "/web"))
	linkRe := regexp.MustCompile(`http://[^\s]+/dang-nhap/[A-Za-z0-9_-]+`)
	var link string
	waitFake(t, s.fake, "the sign-in link in the admin's chat", func() bool {
		for _, m := range s.fake.Messages(adminID) {
			if l := linkRe.FindString(m.Text); l != "" {
				link = l
				return true
			}
		}
		return false
	})
	waitFake(t, s.fake, "the stranger's refusal", func() bool { return len(s.fake.Messages(9)) > 0 })
	for _, m := range s.fake.Messages(9) {
		if linkRe.MatchString(m.Text) {
			t.Fatalf("a non-admin got a link: %q", m.Text)
		}
	}
	signIn(t, ctx, link)
	if got := text(t, ctx, `.who`); got != "telegram:1001" {
		t.Fatalf("signed in as %q", got)
	}
	// The link is spent: opening it again says so.
	run(t, ctx, chromedp.Navigate(link))
	if got := text(t, ctx, `h1`); got != "Liên kết đã được dùng" {
		t.Fatalf("reused link shows %q", got)
	}
	// An invite made in the console makes whoever sends it to the bot an admin.
	run(t, ctx, chromedp.Navigate(s.url+"/quan-tri"), chromedp.WaitVisible(`#invite-name`),
		chromedp.SendKeys(`#invite-name`, "Chị Lan"), chromedp.Click(`//button[normalize-space()="Tạo mã mời"]`),
		chromedp.WaitVisible(`#h-code`))
	code := regexp.MustCompile(`LOA-[A-Z0-9]{5}-[A-Z0-9]{5}`).FindString(text(t, ctx, `main`))
	lan := telegramtest.User{ID: 77, FirstName: "Lan"}
	s.fake.AddChat(telegramtest.Chat{ID: 77, Type: "private", FirstName: "Lan"})
	s.fake.PushUpdate(s.fake.Command(77, lan, "/moi "+code))
	waitFake(t, s.fake, "the invite's answer", func() bool { return len(s.fake.Messages(77)) > 0 })
	if ok, err := s.st.IsAdmin(context.Background(), "telegram", "77"); !ok || err != nil {
		t.Fatalf("not an admin after /moi %s: %v (bot said %q)", code, err, s.fake.Messages(77)[0].Text)
	}
}

// waitJS waits until the JavaScript expression is true in the tab, across page loads
// (a page refreshing itself destroys the context a poll runs in).
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML("main"))
			t.Fatalf("timed out waiting for %s (last error %v)\n%s", what, err, html)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// subscribe makes chats subscribers, as /start would.
func (s *service) subscribe(ids ...int64) {
	s.t.Helper()
	for _, id := range ids {
		s.fake.AddChat(telegramtest.Chat{ID: id, Type: "private", FirstName: "Người nhận"})
		if _, _, err := s.st.Subscribe(context.Background(), chat.Chat{Channel: "telegram", Address: fmt.Sprint(id), Kind: "private"}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// The main flow of the console: write an announcement, see the live preview, send a
// test to yourself, confirm with the audience's size, and watch the progress reach 100%
// while the fake Telegram receives the messages.
func TestBrowserAnnouncementFromWritingTo100Percent(t *testing.T) {
	ctx := tab(t)
	s := startService(t, nil)
	s.subscribe(adminID, 501, 502, 503)
	signIn(t, ctx, s.link(adminID))

	run(t, ctx, chromedp.Navigate(s.url+"/thong-bao/moi"), chromedp.WaitVisible(`#text`),
		chromedp.SendKeys(`#text`, "Hội nghị *sơ kết* lúc 8 giờ, xem [lịch](https://portal.example/lich)"))
	waitJS(t, ctx, "the live preview", `document.querySelector('#preview-telegram').innerHTML.includes('<b>sơ kết</b>') &&
		document.querySelector('#preview-zalo').textContent.includes('Hội nghị sơ kết lúc 8 giờ')`)

	run(t, ctx, chromedp.Click(`//button[@value="test"]`))
	waitJS(t, ctx, "the test's confirmation", `document.body.innerText.includes('Đã gửi thử cho bạn')`)
	waitFake(t, s.fake, "the test in the admin's chat", func() bool { return len(s.fake.Messages(adminID)) == 1 })
	if got := s.fake.Messages(adminID)[0].RawText; !strings.Contains(got, "<b>sơ kết</b>") {
		t.Fatalf("the test reads %q", got)
	}
	if n := len(s.fake.Messages(501)); n != 0 {
		t.Fatalf("a member received the test (%d messages)", n)
	}

	run(t, ctx, chromedp.Click(`//button[@value="preview"]`), chromedp.WaitVisible(`#audience-size`))
	if got := text(t, ctx, `#audience-size`); got != "4 người nhận" {
		t.Fatalf("audience shown: %q", got)
	}
	if len(s.fake.Messages(501)) != 0 {
		t.Fatal("something went out before the confirmation")
	}
	run(t, ctx, chromedp.Click(`//button[@value="confirm"]`))
	waitJS(t, ctx, "the progress at 100%", `(() => { const p = document.querySelector('.n-pct'); return p !== null && p.textContent === '100.0'; })()`)
	for _, id := range []int64{501, 502, 503} {
		if m := s.fake.Messages(id); len(m) != 1 || !strings.Contains(m[0].Text, "Hội nghị sơ kết lúc 8 giờ") {
			t.Fatalf("chat %d read %v", id, m)
		}
	}
	log, err := s.st.AuditLog(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	var web []string
	for _, e := range log {
		if e.Via == store.ViaWeb {
			web = append(web, e.Action)
		}
	}
	if got := strings.Join(web, " "); !strings.Contains(got, "announcement.create") || !strings.Contains(got, "announcement.test") {
		t.Fatalf("web actions audited: %q", got)
	}
}

func waitFake(t *testing.T, fake *telegramtest.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, cond); err != nil {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// An admin adds a lunar calendar event, sees it on its day in the month view (with the
// lunar date), and schedules its yearly greeting from it, with {years} filled in.
func TestBrowserLunarEventAndItsYearlyGreeting(t *testing.T) {
	ctx := tab(t)
	// 2 December 2026: the 10th of the 3rd lunar month of 2027 (Giỗ Tổ's day) is 16 April 2027.
	now := func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }
	s := startService(t, now)
	signIn(t, ctx, s.link(adminID))
	run(t, ctx, chromedp.Navigate(s.url+"/lich"), chromedp.WaitVisible(`#ev-title`),
		chromedp.SendKeys(`#ev-title`, "thành lập Hội Nông dân xã"),
		chromedp.Click(`//input[@name="kind"][@value="lunar"]`),
		chromedp.SendKeys(`#ev-lunar`, "12/3"),
		chromedp.SendKeys(`#ev-founded`, "1977"),
		chromedp.Click(`//button[normalize-space()="Thêm sự kiện"]`))
	waitJS(t, ctx, "the event on its day", `document.body.innerText.includes('50 năm · thành lập Hội Nông dân xã')`)
	// 12/3 lunar of 2027 is 18 April 2027: the month view shows it under 18, with 12/3.
	cell, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('.month td')).find(td => td.innerText.includes('Hội Nông dân')).innerText`))
	if err != nil || !strings.Contains(cell, "18") || !strings.Contains(cell, "12/3") {
		t.Fatalf("the event's day reads %q (%v)", cell, err)
	}
	run(t, ctx, chromedp.Click(`//a[normalize-space()="Lên lịch lời chào hằng năm"][ancestor::tr[contains(., "Hội Nông dân xã")]]`),
		chromedp.WaitVisible(`#text`))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelector('#text').value = ''; return true; })()`)); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.SendKeys(`#text`, "Chúc mừng {years} năm ngày thành lập Hội Nông dân xã ({date})!"),
		chromedp.Click(`//button[@value="preview"]`), chromedp.WaitVisible(`#next-runs`))
	runs := text(t, ctx, `#next-runs`)
	if !strings.Contains(runs, "07:00 18/04/2027") {
		t.Fatalf("next runs: %q", runs)
	}
	if got := text(t, ctx, `#preview-zalo`); !strings.Contains(got, "Chúc mừng 50 năm ngày thành lập Hội Nông dân xã") {
		t.Fatalf("the preview does not fill {years}: %q", got)
	}
	run(t, ctx, chromedp.Click(`//button[@value="confirm"]`))
	waitJS(t, ctx, "the scheduled greeting", `document.body.innerText.includes('Đã lên lịch') && document.body.innerText.includes('Hằng năm vào ngày kỷ niệm')`)
	as, err := s.st.Announcements(context.Background(), false)
	if err != nil || len(as) != 1 || as[0].Schedule != store.ScheduleEvent || as[0].EventTime != "07:00" {
		t.Fatalf("announcements = %+v, %v", as, err)
	}
}

// A feed that is not a feed is refused with the reason, next to its field, and the URL
// typed stays in the form.
func TestBrowserBrokenFeedShowsTheReason(t *testing.T) {
	ctx := tab(t)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><head><title>Cổng thông tin</title></head><body>Trang chủ</body></html>")
	}))
	t.Cleanup(page.Close)
	s := startService(t, nil)
	signIn(t, ctx, s.link(adminID))
	run(t, ctx, chromedp.Navigate(s.url+"/nguon-tin"), chromedp.WaitVisible(`#feed-url`),
		chromedp.SendKeys(`#feed-url`, page.URL+"/tin-tuc"),
		chromedp.Click(`//button[normalize-space()="Thêm nguồn tin"]`),
		chromedp.WaitVisible(`#feed-url-err .field-error`))
	reason := text(t, ctx, `#feed-url-err .field-error`)
	if !strings.Contains(reason, "không phải") && !strings.Contains(reason, "nguồn tin") {
		t.Fatalf("reason shown: %q", reason)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(`#feed-url`)); v != page.URL+"/tin-tuc" {
		t.Fatalf("the URL typed is gone: %q", v)
	}
	if fs, _ := s.st.Feeds(context.Background()); len(fs) != 0 {
		t.Fatalf("a refused feed was stored: %+v", fs)
	}
}

// What must be refused is refused, in the browser: a reused link, a forged session
// cookie, a form posted without its CSRF token, a removed admin's session, and a
// non-admin's link.
func TestBrowserRefusals(t *testing.T) {
	ctx := tab(t)
	s := startService(t, nil)
	ctxb := context.Background()
	if _, err := s.st.As(store.Actor{ID: "cli:root", Via: store.ViaCLI}).AddAdmin(ctxb, store.Admin{Channel: "zalo", UserID: "lan", Name: "Lan"}); err != nil {
		t.Fatal(err)
	}
	lanLink, err := s.links.SignInLink(ctxb, "zalo", "lan")
	if err != nil {
		t.Fatal(err)
	}
	// A non-admin gets no link at all; a link of someone removed meanwhile is refused.
	if _, err := s.links.SignInLink(ctxb, "telegram", "9"); !errors.Is(err, web.ErrNotAdmin) {
		t.Fatalf("a non-admin's link: %v", err)
	}
	signIn(t, ctx, lanLink)
	// Reused.
	run(t, ctx, chromedp.Navigate(lanLink))
	if got := text(t, ctx, `h1`); got != "Liên kết đã được dùng" {
		t.Fatalf("reused link: %q", got)
	}
	// A form without its CSRF token (another site's form would have none).
	run(t, ctx, chromedp.Navigate(s.url+"/quan-tri"), chromedp.WaitVisible(`#invite-name`))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const f = document.querySelector('form[action="/quan-tri/moi"]');
		f.querySelector('input[name=csrf]').remove(); f.submit(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the CSRF refusal", `document.querySelector('h1') && document.querySelector('h1').innerText === 'Biểu mẫu không hợp lệ'`)
	if invites, _ := s.st.Invites(ctxb, time.Now()); len(invites) != 0 {
		t.Fatalf("an invite was made without the token: %+v", invites)
	}
	// Removed: the open session ends at its next page.
	if err := s.st.As(store.Actor{ID: "cli:root", Via: store.ViaCLI}).RemoveAdmin(ctxb, "zalo", "lan"); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(s.url+"/"))
	if got := text(t, ctx, `h1`); got != "Không còn quyền quản trị" {
		t.Fatalf("removed admin sees %q", got)
	}
	// A forged cookie.
	run(t, ctx, chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "loa_session",
			Value: "Zm9yZ2VkLWZvcmdlZC1mb3JnZWQtZm9yZ2VkLWZvcmdlZA", URL: s.url})
		return chromedp.Void{}, err
	}))
	run(t, ctx, chromedp.Navigate(s.url+"/"))
	if got := text(t, ctx, `.error`); !strings.Contains(got, "không còn hiệu lực") {
		t.Fatalf("forged cookie: %q", got)
	}
}
