// Package adaptertest holds the tests that both messenger adapters (bot/telegram and
// bot/zalo) run against their own client: where the behaviour is the same by design
// (the webhook's secret check and store-then-answer, the clock the adapters run on,
// the texts they render), it is written once here and each adapter supplies only
// what differs (its handler, header, wire format and fake server).
package adaptertest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/bot/inbox"
	"loa/broadcast"
	"loa/internal/apitest"
	"loa/internal/golden"
	"loa/internal/inboxtest"
	"loa/internal/logtest"
)

// NewClock is the clock an adapter's tests run on: it only moves when a test (or the
// client's sleep) moves it.
func NewClock() *apitest.Clock {
	return apitest.NewClock(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
}

// LongSummary is a real-looking article body several messages long (on either
// messenger), with paragraphs to cut at and characters to escape.
func LongSummary() string {
	paras := []string{
		"Sáng 5/6, Ban Thường vụ Tỉnh ủy tổ chức hội nghị sơ kết công tác 6 tháng đầu năm, triển khai nhiệm vụ trọng tâm 6 tháng cuối năm 2024. Dự hội nghị có các đồng chí Ủy viên Ban Thường vụ, lãnh đạo các sở, ban, ngành & đoàn thể tỉnh.",
		"Theo báo cáo, tăng trưởng kinh tế (GRDP) ước đạt 8,2% <cao hơn cùng kỳ>; thu ngân sách nhà nước đạt 56% dự toán; công tác xây dựng Đảng, hệ thống chính trị tiếp tục được chú trọng.",
		"Phát biểu chỉ đạo, đồng chí Bí thư Tỉnh ủy nhấn mạnh: \"Các cấp ủy, tổ chức đảng cần bám sát nghị quyết, tập trung tháo gỡ khó khăn, vướng mắc cho doanh nghiệp, đẩy nhanh tiến độ giải ngân vốn đầu tư công.\"",
	}
	var sb strings.Builder
	for i := 0; i < 14; i++ {
		if i > 0 {
			sb.WriteString("\n\n")
		}
		fmt.Fprintf(&sb, "%d. %s", i+1, paras[i%len(paras)])
	}
	return sb.String()
}

// Webhook is one adapter's webhook, as the shared webhook tests drive it: a client of
// a fake server of its own.
type Webhook struct {
	// Handler returns the adapter's WebhookHandler with this secret, storing in in.
	Handler func(secret string, in botapi.Inbox) http.Handler
	// Adapter is the client, which parses stored updates and carries out answers.
	Adapter inbox.Adapter
	// Replies returns the texts the fake server received for Chat.
	Replies func() []string
	// Header carries the secret (the adapter's SecretHeader).
	Header string
	// Clock is the client's clock (its refusal log runs on it); Logs its log.
	Clock *apitest.Clock
	Logs  fmt.Stringer
	// Update is a request body holding one update, stored under ID for Chat, whose text
	// is Text.
	Update, ID, Chat, Text string
	// Sent counts the messages the fake server accepted from the client.
	Sent func() int
	// Derive is the adapter's DeriveWebhookSecret; Token the fake's token.
	Derive func(token string) string
	Token  string
}

// WebhookSuite runs the webhook tests every adapter passes alike, each on a webhook
// of its own from newWebhook: the derived secret, the request table (with the
// adapter's extra cases), the refusal log, store-then-answer.
func WebhookSuite(t *testing.T, newWebhook func(t *testing.T) Webhook, extra ...WebhookCase) {
	t.Helper()
	t.Run("derived secret", func(t *testing.T) {
		t.Parallel()
		w := newWebhook(t)
		WebhookSecret(t, w.Derive, w.Token)
	})
	t.Run("requests", func(t *testing.T) {
		t.Parallel()
		WebhookRequests(t, newWebhook, extra...)
	})
	t.Run("refusals counted", func(t *testing.T) {
		t.Parallel()
		WebhookRefusalsCounted(t, newWebhook(t))
	})
	t.Run("stores then answers", func(t *testing.T) {
		t.Parallel()
		WebhookStoresThenAnswers(t, newWebhook(t))
	})
}

// WebhookRefusalsCounted: wrong-secret requests are logged one line a minute at most,
// on the client's clock, with how many were refused.
func WebhookRefusalsCounted(t *testing.T, w Webhook) {
	t.Helper()
	h := w.Handler("s3cret_value-for-tests-0123456789", inboxtest.NewStoring(0))
	wrong := func() {
		t.Helper()
		req := httptest.NewRequest("POST", "/hook", strings.NewReader(`{}`))
		req.Header.Set(w.Header, "guess")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong secret: status %d", rec.Code)
		}
	}
	for range 3 {
		wrong()
	}
	if n := strings.Count(w.Logs.String(), "without the right secret"); n != 1 {
		t.Fatalf("%d lines for 3 refusals within a minute, want 1:\n%s", n, w.Logs)
	}
	_ = w.Clock.Sleep(context.Background(), time.Minute)
	wrong()
	if n := strings.Count(w.Logs.String(), "without the right secret"); n != 2 || !strings.Contains(w.Logs.String(), "refused=3") {
		t.Fatalf("a minute later: %d lines, want 2, the second counting 3:\n%s", n, w.Logs)
	}
}

// WebhookStoresThenAnswers: a webhook update is stored in the inbox and answered 200
// at once, before anything handles it (the messenger must never wait for the bot); a
// redelivery is stored under the same id; when the inbox refuses the update the
// answer is 500, so that the messenger delivers it again.
func WebhookStoresThenAnswers(t *testing.T, w Webhook) {
	t.Helper()
	const secret = "s3cret_value-for-tests"
	in := inboxtest.NewStoring(1)
	post := func() int {
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(w.Update))
		req.Header.Set(w.Header, secret)
		rec := httptest.NewRecorder()
		w.Handler(secret, in).ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(); code != http.StatusInternalServerError {
		t.Fatalf("refused by the inbox: status %d, want 500", code)
	}
	if !strings.Contains(w.Logs.String(), "store webhook update") {
		t.Errorf("the refusal was not logged:\n%s", w.Logs)
	}
	for range 2 {
		if code := post(); code != http.StatusOK {
			t.Fatalf("stored: status %d, want 200", code)
		}
	}
	got, _ := in.All()
	if len(got) != 2 || got[0].ID != w.ID || got[1].ID != w.ID || got[0].Chat != w.Chat || string(got[0].Payload) != w.Update {
		t.Fatalf("stored %+v; want the update under id %s both times", got, w.ID)
	}
	if n := w.Sent(); n != 0 {
		t.Errorf("%d messages sent while answering the webhook: handling comes after", n)
	}
}

// WebhookSecret: the secret derived from a token is the same each time, another
// token's differs, and it is 64 hex digits, which both messengers' secret_token accept
// (Telegram: 1–256 of A-Z a-z 0-9 _ -; Zalo: 8–256 of them), and it shows nothing of
// the token.
func WebhookSecret(t *testing.T, derive func(token string) string, token string) {
	t.Helper()
	a := derive(token)
	if a != derive(token) {
		t.Error("not deterministic")
	}
	if a == derive("1:another-token") {
		t.Error("two tokens give the same secret")
	}
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("secret %q: want 64 hex digits", a)
	}
	apitest.NoToken(t, "secret", a, token)
}

// WebhookCase is one request to the webhook and what it must come to.
type WebhookCase struct {
	Name string
	// Method is the request's method; "" is POST.
	Method string
	// Secret is the secret header's value; nil sends no header.
	Secret *string
	Body   string
	Status int
	// Handled: the update reached the bot, and its reply was sent before the answer.
	Handled bool
}

// Ptr returns a pointer to s (a WebhookCase's Secret).
func Ptr(s string) *string { return &s }

// WebhookRequests sends each request to a webhook of its own (newWebhook) whose bot
// replies "Trợ giúp", and checks the status, that the update was handled (with the
// reply sent before the answer) or not, and that a malformed request (400) and a
// refused one (401) are logged. The requests every webhook answers alike come first
// (the right secret with the adapter's Update, wrong, missing and empty secrets, a GET,
// a body over 1 MiB, broken JSON); the adapter adds what its wire format makes of
// other bodies.
func WebhookRequests(t *testing.T, newWebhook func(t *testing.T) Webhook, extra ...WebhookCase) {
	t.Helper()
	const secret = "s3cret_value-for-tests"
	update := newWebhook(t).Update
	cases := append([]WebhookCase{
		{Name: "right secret", Secret: Ptr(secret), Body: update, Status: http.StatusOK, Handled: true},
		{Name: "wrong secret", Secret: Ptr(secret[:len(secret)-1]), Body: update, Status: http.StatusUnauthorized},
		{Name: "missing secret", Body: update, Status: http.StatusUnauthorized},
		{Name: "empty secret", Secret: Ptr(""), Body: update, Status: http.StatusUnauthorized},
		{Name: "wrong method", Method: "GET", Secret: Ptr(secret), Status: http.StatusMethodNotAllowed},
		{Name: "oversized", Secret: Ptr(secret), Body: `{"pad":"` + strings.Repeat("a", botapi.MaxUpdateBytes) + `"}`,
			Status: http.StatusRequestEntityTooLarge},
		{Name: "malformed JSON", Secret: Ptr(secret), Body: `{"update_id":`, Status: http.StatusBadRequest},
	}, extra...)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			w := newWebhook(t)
			h := inboxtest.NewRecorder(func(bot.Update) bot.Response {
				return bot.Response{Replies: []bot.Reply{{Text: "Trợ giúp"}}}
			})
			req := httptest.NewRequest(cmp.Or(tc.Method, "POST"), "/webhook", strings.NewReader(tc.Body))
			if tc.Secret != nil {
				req.Header.Set(w.Header, *tc.Secret)
			}
			rec := httptest.NewRecorder()
			w.Handler(secret, inboxtest.NewDirect(w.Adapter, h)).ServeHTTP(rec, req)
			if rec.Code != tc.Status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.Status, rec.Body)
			}
			got := h.Updates()
			if tc.Handled != (len(got) == 1) {
				t.Fatalf("handled %+v, want handled=%v", got, tc.Handled)
			}
			if tc.Handled {
				if got[0].Text != w.Text || got[0].Chat.Address != w.Chat {
					t.Errorf("handled %+v; want %q in chat %s", got[0], w.Text, w.Chat)
				}
				if m := w.Replies(); len(m) != 1 || m[0] != "Trợ giúp" {
					t.Errorf("reply not sent before answering: %q", m)
				}
			}
			if tc.Status == http.StatusBadRequest && !strings.Contains(w.Logs.String(), "malformed") {
				t.Errorf("malformed request not logged:\n%s", w.Logs)
			}
			if tc.Status == http.StatusUnauthorized && !strings.Contains(w.Logs.String(), "without the right secret") {
				t.Errorf("refused request not logged:\n%s", w.Logs)
			}
		})
	}
}

// StartPoll runs poll (a client's Poll) in the background, storing into in, until
// stop is called or the test ends; stop ends it, waits for it to return and returns
// its error (nil when Poll ended because its context did, as it must).
func StartPoll(t *testing.T, poll func(context.Context, botapi.Inbox) error, in botapi.Inbox) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(apitest.Context(t))
	done := make(chan error, 1)
	go func() { done <- poll(ctx, in) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// PollInto runs poll (a client's Poll) into in until in has stored something after
// push queued it and confirmed (nil: nothing) has returned, then stops it, which must
// end Poll without an error.
func PollInto(t *testing.T, poll func(context.Context, botapi.Inbox) error, in *inboxtest.Storing, push func(),
	confirmed func(context.Context) error) {
	t.Helper()
	ctx := apitest.Context(t)
	stop := StartPoll(t, poll, in)
	push()
	select {
	case <-in.Added():
	case <-ctx.Done():
		t.Fatal("the update was never stored")
	}
	if confirmed != nil {
		if err := confirmed(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("Poll = %v, want nil after its context ended", err)
	}
}

// Next returns the next update the recorder handles, failing the test with what it
// was waiting for when none comes before ctx ends.
func Next(ctx context.Context, t *testing.T, h *inboxtest.Recorder, waitingFor string) bot.Update {
	t.Helper()
	select {
	case u := <-h.Got:
		return u
	case <-ctx.Done():
		t.Fatalf("no update %s", waitingFor)
		return bot.Update{}
	}
}

// HeldSend is a send to a chat whose next send the adapter's fake server holds at
// the gate given to newHeld (a scripted Hold).
type HeldSend struct {
	// Send sends a text to the held chat.
	Send func(ctx context.Context) error
	// Token is the server's token, which no error may show.
	Token string
}

// SendHeld: a send the server holds ends as a transient timeout, an error that is
// context.DeadlineExceeded, once the call's own deadline passes (the client's call
// timeout, which newHeld sets to callTimeout when it is not 0), not the caller's;
// and as transient canceled, an error that is context.Canceled, when the caller's
// context ends. Neither error shows the token.
func SendHeld(t *testing.T, newHeld func(t *testing.T, gate *apitest.Gate, callTimeout time.Duration) HeldSend) {
	t.Helper()
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		gate := apitest.NewGate()
		t.Cleanup(gate.Release)
		h := newHeld(t, gate, 50*time.Millisecond)
		err := h.Send(apitest.Context(t))
		checkHeld(t, err, "timeout", context.DeadlineExceeded, h.Token)
	})
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		gate := apitest.NewGate()
		t.Cleanup(gate.Release)
		h := newHeld(t, gate, 0)
		ctx, cancel := context.WithCancel(apitest.Context(t))
		go func() {
			<-gate.Arrived()
			cancel()
		}()
		err := h.Send(ctx)
		checkHeld(t, err, "canceled", context.Canceled, h.Token)
	})
}

func checkHeld(t *testing.T, err error, reason string, cause error, token string) {
	t.Helper()
	var se *broadcast.SendError
	if !errors.As(err, &se) || se.Kind != broadcast.Transient || se.Reason != reason {
		t.Fatalf("Send = %v, want transient %s", err, reason)
	}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, %v) = false", err, cause)
	}
	apitest.NoToken(t, "error", err.Error(), token)
}

// Poller is an adapter's client polling its fake server, as the shared poll tests
// drive it.
type Poller struct {
	// Poll is the client's Poll; Adapter the client, which parses what Poll stores.
	Poll    func(context.Context, botapi.Inbox) error
	Adapter inbox.Adapter
	// Sleeps records the client's waits (it is the client's sleep); Logs is its log.
	Sleeps *apitest.Sleeps
	Logs   fmt.Stringer
	// Push queues on the server a text message from a user in a private chat.
	Push func(text string)
	// Calls is the server's count of calls of a method; Token is its token.
	Calls func(method string) int
	Token string
}

// PollPast runs p.Poll until it has handled a text message pushed now, past whatever
// getUpdates was scripted to answer first (waitingFor names it, for the failure),
// stops it, which must end Poll without an error, and returns every update handled.
func PollPast(t *testing.T, p Poller, text, waitingFor string) []bot.Update {
	t.Helper()
	h := inboxtest.NewRecorder(nil)
	stop := StartPoll(t, p.Poll, inboxtest.NewDirect(p.Adapter, h))
	p.Push(text)
	if u := Next(apitest.Context(t), t, h, waitingFor); u.Text != text {
		t.Errorf("handled %+v, want %q", u, text)
	}
	if err := stop(); err != nil {
		t.Errorf("Poll = %v, want nil after its context ended", err)
	}
	return h.Updates()
}

// PollBacksOff: past the failures scripted for getUpdates, one of them a webhook
// conflict, Poll handles the next update, having waited want between the failures
// (the backoff, a retry_after standing in for a shorter one), deleted the webhook
// again after the conflict (deleteWebhook called twice, counting the one at the
// start) and logged no token.
func PollBacksOff(t *testing.T, p Poller, want []time.Duration) {
	t.Helper()
	PollPast(t, p, "xin chào", "after the failures")
	if got := p.Sleeps.Waits(); len(got) < len(want) || !reflect.DeepEqual(got[:len(want)], want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if n := p.Calls("deleteWebhook"); n != 2 {
		t.Errorf("deleteWebhook called %d times, want 2 (start, after the conflict)", n)
	}
	apitest.NoToken(t, "log", p.Logs.String(), p.Token)
}

// Received is a message a fake server accepted, as the shared tests read it.
type Received struct {
	Text string
	At   time.Time
}

// Replier is an adapter's client replying in a private chat of its fake server, both
// on Clock.
type Replier struct {
	// CarryOut is the client's; Update is one from the chat.
	CarryOut func(context.Context, bot.Update, bot.Response)
	Update   bot.Update
	Clock    *apitest.Clock
	// Received is what the chat received, in order; Count429 is the server's count.
	Received func() []Received
	Count429 func() int
	// Throttle scripts n 429s for the chat's next sends, each of which asks for (or,
	// without a hint, gets the adapter's default) RetryAfter.
	Throttle   func(n int)
	RetryAfter time.Duration
}

// RepliesPaced: replies to one chat are a second apart on the injected clock, which
// the fake's per-chat limit checks; a 429 is waited out and retried once, and a reply
// refused twice in a row is given up, not retried forever.
func RepliesPaced(t *testing.T, r Replier) {
	t.Helper()
	ctx := apitest.Context(t)
	r.CarryOut(ctx, r.Update, bot.Response{Replies: []bot.Reply{{Text: "một"}, {Text: "hai"}, {Text: "ba"}}})
	msgs := r.Received()
	if len(msgs) != 3 {
		t.Fatalf("received %d messages, want 3", len(msgs))
	}
	for i := 1; i < len(msgs); i++ {
		if d := msgs[i].At.Sub(msgs[i-1].At); d < time.Second {
			t.Errorf("messages %d and %d %v apart", i, i+1, d)
		}
	}
	if n := r.Count429(); n != 0 {
		t.Errorf("%d answers were 429", n)
	}

	r.Throttle(1)
	before := r.Clock.Now()
	r.CarryOut(ctx, r.Update, bot.Response{Replies: []bot.Reply{{Text: "bốn"}}})
	msgs = r.Received()
	if len(msgs) != 4 || msgs[3].Text != "bốn" {
		t.Fatalf("the reply after a 429 was not retried: %+v", msgs)
	}
	if d := msgs[3].At.Sub(before); d < r.RetryAfter {
		t.Errorf("retried %v after the 429, want the wait it asked for (%v)", d, r.RetryAfter)
	}

	r.Throttle(2)
	r.CarryOut(ctx, r.Update, bot.Response{Replies: []bot.Reply{{Text: "năm"}}})
	if n := len(r.Received()); n != 4 {
		t.Errorf("received %d messages, want the reply dropped after a second 429", n)
	}
}

// GoldenCase is a broadcast whose rendering is kept in a golden file, Name plus the
// adapter's extension, in testdata/golden.
type GoldenCase struct {
	Name    string
	Content broadcast.Content
}

// GoldenCases are the broadcasts both adapters keep renderings of, in this order: an
// article whose every piece needs escaping in HTML, a notice of each kind with a
// mark, and an article several messages long (its summary LongSummary repeated long
// times, to pass the adapter's limit); then the adapter's own cases, extra. Topics
// do not show in a rendering.
func GoldenCases(long int, extra ...GoldenCase) []GoldenCase {
	return append([]GoldenCase{
		{Name: "article_escaping", Content: broadcast.Content{
			Kind:    "article",
			Topic:   "tin-tuc",
			Title:   "Hà Nam & Ninh Bình <2025>",
			Summary: "Hai tỉnh bàn việc \"hợp nhất\" & sắp xếp đơn vị hành chính; <script>alert(1)</script> không được chạy.\r\n\r\n\r\nĐoạn thứ hai.  ",
			Link:    "https://tinhuy.example.vn/tin-tuc/ha-nam-ninh-binh?id=2025&lang=vi",
		}},
		{Name: "anniversary", Content: broadcast.Content{
			Kind:    "anniversary",
			Topic:   "ky-niem",
			Title:   "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)",
			Summary: "Ngày 5/6/1911, tại Bến cảng Nhà Rồng, người thanh niên yêu nước Nguyễn Tất Thành rời Tổ quốc ra đi tìm đường cứu nước.",
		}},
		{Name: "announcement", Content: broadcast.Content{
			Kind:    "announcement",
			Topic:   "thong-bao",
			Summary: "Kính gửi các đồng chí đảng viên,\nVăn phòng Tỉnh ủy thông báo lịch sinh hoạt chi bộ tháng 6 vào 14h00 thứ Sáu, ngày 14/6/2024.\n\nTrân trọng.",
		}},
		{Name: "long_article", Content: broadcast.Content{
			Kind:    "article",
			Topic:   "tin-tuc",
			Title:   "Hội nghị sơ kết 6 tháng đầu năm 2024",
			Summary: strings.Repeat(LongSummary()+"\n\n", long),
			Link:    "https://tinhuy.example.vn/tin-tuc/so-ket-6-thang",
		}},
	}, extra...)
}

// RenderGolden renders each case and compares its parts with the golden file, each
// part under a line that numbers it and gives its length as measure says it (measure
// also checks the part: valid, not empty, within the limit). The golden directory
// must hold nothing else, so a stale file from a renamed case is noticed. Run with
// -update to rewrite the files.
func RenderGolden(t *testing.T, cases []GoldenCase, render func(broadcast.Content) []string, ext string,
	measure func(t testing.TB, part string) string) {
	t.Helper()
	names := map[string]bool{}
	for _, tc := range cases {
		names[tc.Name+ext] = true
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			parts := render(tc.Content)
			var sb strings.Builder
			for i, p := range parts {
				fmt.Fprintf(&sb, "----- part %d of %d: %s -----\n%s\n", i+1, len(parts), measure(t, p), p)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.Name+ext), sb.String())
		})
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !names[filepath.Base(f)] {
			t.Errorf("stale golden file %s", f)
		}
	}
}

// KindCase is a broadcast and the text a member sees of it, in one message.
type KindCase struct {
	Content broadcast.Content
	Want    string
}

// RenderKinds: a notice is headed by its kind's mark and its title (or the kind's
// name), an article by its title alone; titles are made one clean line, links that
// are no http(s) URL are dropped, broken bytes and control characters go; an article
// with nothing to show renders to nothing. visible returns what a member sees of each
// part the adapter renders (checking each); the adapter adds cases of its own.
func RenderKinds(t *testing.T, visible func(t testing.TB, c broadcast.Content) []string, extra ...KindCase) {
	t.Helper()
	cases := append([]KindCase{
		{broadcast.Content{Kind: "announcement", Summary: "Họp chi bộ lúc 14h."}, "📢 Thông báo\n\nHọp chi bộ lúc 14h."},
		{broadcast.Content{Kind: "announcement", Title: "Lịch họp", Summary: "Họp chi bộ lúc 14h."}, "📢 Lịch họp\n\nHọp chi bộ lúc 14h."},
		{broadcast.Content{Kind: "anniversary", Summary: "Ngày Thầy thuốc Việt Nam."}, "🇻🇳 Ngày kỷ niệm\n\nNgày Thầy thuốc Việt Nam."},
		{broadcast.Content{Kind: "article", Title: "Tiêu đề", Link: "javascript:alert(1)"}, "Tiêu đề"},
		{broadcast.Content{Kind: "article", Link: "https://example.vn/a"}, "https://example.vn/a"},
		{broadcast.Content{Kind: "article", Title: "  Hai\ndòng\t tiêu đề "}, "Hai dòng tiêu đề"},
		{broadcast.Content{Kind: "article", Title: "A\x00B\x1b", Summary: "x\xffy"}, "AB\n\nx\uFFFDy"},
	}, extra...)
	for _, tc := range cases {
		if got := visible(t, tc.Content); len(got) != 1 || got[0] != tc.Want {
			t.Errorf("Render(%+v) shows %q, want %q in one message", tc.Content, got, tc.Want)
		}
	}
	if got := visible(t, broadcast.Content{Kind: "article", Summary: " \n "}); got != nil {
		t.Errorf("an empty article renders %q, want nothing", got)
	}
}

// Options are a test client's options: its log, at debug level, goes to the returned
// buffer.
func Options() (botapi.Options, *logtest.Buffer) {
	logs := &logtest.Buffer{}
	return botapi.Options{Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}, logs
}

// JSON is v as the fake server would send it (an update, a message).
func JSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Map returns f of each message a fake recorded (its text, say), in order.
func Map[M, T any](msgs []M, f func(M) T) []T {
	var out []T
	for _, m := range msgs {
		out = append(out, f(m))
	}
	return out
}
