// Package telegramtest is a fake Telegram Bot API server for tests. It speaks
// the real wire format (paths /bot<TOKEN>/<method>, form, multipart, JSON or
// query parameters, the {"ok":...} envelope with error_code, description and
// parameters), enforces Telegram's text rules and rate limits with real-shaped
// errors, lets a test script failures per chat or method, records what each
// chat received, and feeds updates through getUpdates or a webhook.
//
// Time comes from Options.Now, so rate limits and dates are deterministic;
// waits use channels, never sleeps.
package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/internal/apitest"
)

// DefaultToken is the bot token a server accepts unless Options.Token is set.
const DefaultToken = "123456789:AAF-telegramtest-fake-token_0123456"

// Options configures a Server. The zero value is a throttled server with the
// default limits and the real clock.
type Options struct {
	// Token is the only accepted bot token; default DefaultToken.
	Token string
	// Bot is what getMe returns; default a bot named loa_test_bot whose id is
	// the token's numeric prefix.
	Bot User
	// Now is the clock for dates, rate limits and records; default time.Now.
	Now func() time.Time
	// Unthrottled turns every rate limit off (for benchmarks).
	Unthrottled bool
	// GlobalLimit, ChatLimit and GroupLimit override the defaults
	// (DefaultGlobalLimit etc.) when non-zero. A Limit with N < 0 turns that
	// one limit off.
	GlobalLimit, ChatLimit, GroupLimit Limit
	// LenientHTML accepts what Telegram accepts: a bare "&" or ">" in HTML text
	// is taken literally. By default the fake is stricter than Telegram and
	// rejects them, so a renderer that forgets to escape is caught even when the
	// text would happen to render.
	LenientHTML bool
	// WebhookClient posts updates to the webhook; default a client with a 10 s
	// timeout.
	WebhookClient *http.Client
	// AnswerDelay, when set, is how late every sendMessage is answered (after the
	// message was accepted), given the chat and the number of sendMessage calls
	// to that chat so far, 1 for the first. A scripted Reply.Late overrides it.
	AnswerDelay func(chatID int64, call int) time.Duration
}

// Option adjusts Options for NewServer.
type Option func(*Options)

// WithToken sets the accepted bot token.
func WithToken(token string) Option { return func(o *Options) { o.Token = token } }

// WithClock injects the clock.
func WithClock(now func() time.Time) Option { return func(o *Options) { o.Now = now } }

// Unthrottled turns all rate limits off.
func Unthrottled() Option { return func(o *Options) { o.Unthrottled = true } }

// WithLimits sets the global, per-chat and per-group limits (zero keeps a
// default).
func WithLimits(global, chat, group Limit) Option {
	return func(o *Options) { o.GlobalLimit, o.ChatLimit, o.GroupLimit = global, chat, group }
}

// LenientHTML makes HTML parsing exactly as lenient as Telegram's.
func LenientHTML() Option { return func(o *Options) { o.LenientHTML = true } }

// WithAnswerDelay answers every sendMessage late, by delay(chatID, call): see
// Options.AnswerDelay.
func WithAnswerDelay(delay func(chatID int64, call int) time.Duration) Option {
	return func(o *Options) { o.AnswerDelay = delay }
}

// WithWebhookClient sets the client used to post updates to the webhook.
func WithWebhookClient(c *http.Client) Option { return func(o *Options) { o.WebhookClient = c } }

// Server is a running fake Bot API. All methods are safe for concurrent use.
type Server struct {
	opts     Options
	now      func() time.Time
	bot      User
	srv      apitest.HTTPServer
	handlers map[string]handler

	mu        sync.Mutex
	changed   apitest.Changes // notified, with mu held, on every change
	chats     map[int64]*chatState
	usernames map[string]int64
	users     map[int64]User
	members   map[[2]int64]MemberStatus
	scripts   map[int64][]Reply
	methodScr map[string][]Reply
	limiter   *limiter
	sent      map[int64][]SentMessage
	all       []SentMessage
	calls     map[string]int
	chatCalls map[int64]int // sendMessage calls per chat, for AnswerDelay
	errors    map[int]int

	nextUpdateID int
	queue        []Update
	allowed      []string
	pollKill     chan struct{}
	waiting      int // long polls waiting
	expire       chan struct{}
	webhook      webhookState
	delivered    map[string]bool
	answered     map[string]bool
	answers      []CallbackAnswer
	commands     map[string][]BotCommand
	left         []int64
	callbackSeq  int
}

type chatState struct {
	chat       Chat
	state      ChatState
	migratedTo int64
	lastMsgID  int
	topics     map[int]string
}

type handler struct {
	name string
	fn   func(s *Server, w http.ResponseWriter, r *http.Request, p params)
}

// New starts a server; Close stops it.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Bot.ID == 0 {
		id, err := strconv.ParseInt(strings.SplitN(opts.Token, ":", 2)[0], 10, 64)
		if err != nil || id <= 0 {
			id = 123456789
		}
		opts.Bot = User{ID: id, IsBot: true, FirstName: "Loa Test", Username: "loa_test_bot"}
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		opts:         opts,
		now:          opts.Now,
		bot:          opts.Bot,
		chats:        make(map[int64]*chatState),
		usernames:    make(map[string]int64),
		users:        make(map[int64]User),
		members:      make(map[[2]int64]MemberStatus),
		scripts:      make(map[int64][]Reply),
		methodScr:    make(map[string][]Reply),
		limiter:      newLimiter(opts.GlobalLimit.Or(DefaultGlobalLimit), opts.ChatLimit.Or(DefaultChatLimit), opts.GroupLimit.Or(DefaultGroupLimit)),
		sent:         make(map[int64][]SentMessage),
		calls:        make(map[string]int),
		chatCalls:    make(map[int64]int),
		errors:       make(map[int]int),
		nextUpdateID: 100000001,
		expire:       make(chan struct{}),
		delivered:    make(map[string]bool),
		answered:     make(map[string]bool),
		commands:     make(map[string][]BotCommand),
	}
	s.handlers = s.methods()
	s.srv.Start(s)
	s.srv.Go(s.webhookLoop)
	return s
}

// NewServer starts a server configured by opts and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	s := New(o)
	t.Cleanup(s.Close)
	return s
}

// Close releases held and long-polling requests, stops webhook delivery and
// shuts the server down. It is safe to call more than once.
func (s *Server) Close() {
	s.srv.Close()
}

// URL is the server's base URL, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.srv.URL() }

// Endpoint is the API endpoint in go-telegram-bot-api's format,
// http://127.0.0.1:PORT/bot%s/%s.
func (s *Server) Endpoint() string { return s.srv.URL() + "/bot%s/%s" }

// Token is the accepted bot token.
func (s *Server) Token() string { return s.opts.Token }

// Bot is the bot's own user (getMe).
func (s *Server) Bot() User { return s.bot }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// params are a request's parameters, whatever way they came.
type params map[string]string

// has reports a parameter that is present and not JSON null.
func (p params) has(k string) bool { v, ok := p[k]; return ok && v != "" && v != "null" }

func (p params) bool(k string) bool {
	switch strings.ToLower(p[k]) {
	case "true", "1":
		return true
	}
	return false
}

// int parses an integer parameter; ok is false when present but malformed.
func (p params) int(k string) (int64, bool) {
	v := p[k]
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

func readParams(r *http.Request) (params, error) {
	p := make(params)
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	if r.Body == nil {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
		if err != nil {
			return nil, err
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			p[k] = v[0]
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(50 << 20); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = v[0]
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.NewDecoder(io.LimitReader(r.Body, 50<<20)).Decode(&obj); err != nil && err != io.EOF {
			return nil, err
		}
		for k, raw := range obj {
			var str string
			if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &str) == nil {
				p[k] = str
			} else {
				p[k] = string(raw) // numbers, booleans, objects and arrays as JSON text
			}
		}
	}
	return p, nil
}

// ServeHTTP serves the Bot API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		s.writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	if token != s.opts.Token {
		s.writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
		return
	}
	h, ok := s.handlers[strings.ToLower(method)]
	if !ok {
		s.writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	p, err := readParams(r)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "Bad Request: can't parse request parameters", nil)
		return
	}
	s.mu.Lock()
	s.calls[h.name]++
	var reply *Reply
	if q := s.methodScr[h.name]; len(q) > 0 {
		reply, s.methodScr[h.name] = &q[0], q[1:]
	}
	s.mu.Unlock()
	if reply != nil {
		if reply.Gate != nil && !reply.Gate.Hold(r.Context(), s.srv.Done()) {
			return
		}
		if reply.failure() {
			s.fail(w, *reply, "")
			return
		}
	}
	h.fn(s, w, r, p)
}

func (r *Reply) failure() bool { return r.Code != 0 || r.Body != "" || r.Hangup }

// fail writes a scripted failure; chatType words the "kicked" description.
func (s *Server) fail(w http.ResponseWriter, r Reply, chatType ChatType) {
	switch {
	case r.Hangup:
		s.hangup(w)
	case r.Body != "":
		s.mu.Lock()
		s.errors[r.Code]++
		s.changed.Notify()
		s.mu.Unlock()
		if r.ContentType != "" {
			w.Header().Set("Content-Type", r.ContentType)
		}
		w.WriteHeader(r.Code)
		io.WriteString(w, r.Body)
	default:
		desc := r.Description
		switch {
		case r.kind == replyKicked && (chatType == Private || chatType == ""):
			desc = "Forbidden: bot was blocked by the user"
		case r.kind == replyKicked:
			desc = "Forbidden: bot was kicked from the " + string(chatType) + " chat"
		case desc == "" && r.Code == http.StatusTooManyRequests:
			desc = "Too Many Requests: retry after " + strconv.Itoa(r.RetryAfter)
		case desc == "":
			desc = http.StatusText(r.Code)
		}
		var rp *responseParameters
		if r.RetryAfter != 0 || r.MigrateTo != 0 {
			rp = &responseParameters{RetryAfter: r.RetryAfter, MigrateToChatID: r.MigrateTo}
		}
		s.writeError(w, r.Code, desc, rp)
	}
}

func (s *Server) hangup(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection without a response
}

type responseParameters struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

type envelope struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v envelope) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) writeOK(w http.ResponseWriter, result any, description string) {
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result, Description: description})
}

// writeError answers an error in the Bot API's shape, with the error code as
// the HTTP status, and counts it.
func (s *Server) writeError(w http.ResponseWriter, code int, description string, p *responseParameters) {
	s.mu.Lock()
	s.errors[code]++
	s.changed.Notify()
	s.mu.Unlock()
	writeJSON(w, code, envelope{ErrorCode: code, Description: description, Parameters: p})
}

func (s *Server) badRequest(w http.ResponseWriter, description string) {
	s.writeError(w, http.StatusBadRequest, "Bad Request: "+description, nil)
}

// WaitFor returns when cond() is true, re-checking after every change to the
// server (a message accepted or edited, an error answered, updates queued or
// consumed), or with ctx's error. cond may call the Server's accessors.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return s.changed.WaitFor(ctx, s.srv.Done(), errors.New("telegramtest: server closed"), cond)
}
