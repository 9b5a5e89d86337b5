// Package zalotest is a fake Zalo Bot Platform API server for tests. It speaks
// the wire format of bot-api.zaloplatforms.com (POST /bot<TOKEN>/<method> with
// a JSON body; form-encoded bodies and GET query parameters are accepted too;
// the {"ok":...} envelope with error_code and description), enforces the
// documented limits (text 1–2000 characters, string ids, millisecond dates,
// getUpdates handing out one update per call with no offsets, a bot reaching
// only users who wrote to it), applies a configurable rate limit, lets a test
// script failures per chat or per method, records what each chat received,
// and feeds updates through getUpdates or a webhook.
//
// Time comes from Options.Now, so rate limits and dates are deterministic;
// waits use channels, never sleeps.
//
// Where the platform's documentation is silent (error descriptions, rate
// limits, what a bot gets for a user it cannot reach, getUpdates while a
// webhook is set) the fake makes a choice and says so in the comment of the
// thing concerned; scripted replies cover any other answer a test needs.
package zalotest

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
// Zalo tokens are "<bot id>:<access token>".
const DefaultToken = "1459232241454765289:zalotest-fake-access-token-0123456789abcdef"

// Options configures a Server. The zero value is a throttled server with the
// default limits and the real clock.
type Options struct {
	// Token is the only accepted bot token; default DefaultToken.
	Token string
	// Bot is what getMe returns; default an account named bot.LoaTest whose
	// id is the token's prefix.
	Bot BotInfo
	// Now is the clock for dates, rate limits and records; default time.Now.
	Now func() time.Time
	// Unthrottled turns every rate limit off (for benchmarks).
	Unthrottled bool
	// GlobalLimit and ChatLimit override DefaultGlobalLimit and
	// DefaultChatLimit when non-zero. A Limit with N < 0 turns that limit off.
	GlobalLimit, ChatLimit Limit
	// CamelErrorCode spells the error code "errorCode" instead of
	// "error_code" in error envelopes, so a client's leniency can be tested.
	CamelErrorCode bool
	// StatusEqualsCode sends an error envelope with the error code as its HTTP
	// status (for 4xx and 5xx codes), as the platform's documentation suggests
	// and many HTTP APIs do. By default errors come with HTTP 200 and ok:false in
	// the body only: what people who probed the live API observed (a bad token
	// answers 200 {"ok":false,"error_code":401,...}). A client must read both the
	// same way.
	StatusEqualsCode bool
	// ErrorStatus200 forces HTTP 200 for every error envelope, even with
	// StatusEqualsCode (the default without it).
	ErrorStatus200 bool
	// WrappedWebhook posts {"ok":true,"result":<update>} to the webhook, the
	// form of the samples in the platform's documentation. By default the body
	// is the bare update ({"event_name":…,"message":…}), what is observed in
	// practice.
	WrappedWebhook bool
	// BareWebhook forces bare webhook bodies, even with WrappedWebhook (the
	// default without it).
	BareWebhook bool
	// MaxPollTimeout, when positive, caps how long a getUpdates waits,
	// whatever its timeout parameter asks (default 30 s when absent).
	MaxPollTimeout time.Duration
	// WebhookClient posts updates to the webhook; default a client with a
	// 10 s timeout.
	WebhookClient *http.Client
	// QuietWhileWebhook makes getUpdates, while a webhook is set, wait and
	// answer 408 as an idle poll does instead of 409: the platform documents no
	// 409, and polling may simply go quiet (queued updates go to the webhook).
	QuietWhileWebhook bool
}

// Option adjusts Options for NewServer.
type Option func(*Options)

// WithToken sets the accepted bot token.
func WithToken(token string) Option { return func(o *Options) { o.Token = token } }

// WithClock injects the clock.
func WithClock(now func() time.Time) Option { return func(o *Options) { o.Now = now } }

// Unthrottled turns all rate limits off.
func Unthrottled() Option { return func(o *Options) { o.Unthrottled = true } }

// WithLimits sets the global and per-chat limits (zero keeps a default).
func WithLimits(global, chat Limit) Option {
	return func(o *Options) { o.GlobalLimit, o.ChatLimit = global, chat }
}

// CamelErrorCode spells the error code "errorCode" in error envelopes.
func CamelErrorCode() Option { return func(o *Options) { o.CamelErrorCode = true } }

// StatusEqualsCode sends errors with their code as the HTTP status.
func StatusEqualsCode() Option { return func(o *Options) { o.StatusEqualsCode = true } }

// ErrorStatus200 answers errors with HTTP 200 and ok:false (the default; it also
// overrides StatusEqualsCode).
func ErrorStatus200() Option { return func(o *Options) { o.ErrorStatus200 = true } }

// WrappedWebhook posts updates inside {"ok":true,"result":…} to the webhook.
func WrappedWebhook() Option { return func(o *Options) { o.WrappedWebhook = true } }

// BareWebhook posts bare updates to the webhook (the default; it also overrides
// WrappedWebhook).
func BareWebhook() Option { return func(o *Options) { o.BareWebhook = true } }

// WithMaxPollTimeout caps the wait of every getUpdates.
func WithMaxPollTimeout(d time.Duration) Option { return func(o *Options) { o.MaxPollTimeout = d } }

// WithWebhookClient sets the client used to post updates to the webhook.
func WithWebhookClient(c *http.Client) Option { return func(o *Options) { o.WebhookClient = c } }

// QuietWhileWebhook sets Options.QuietWhileWebhook.
func QuietWhileWebhook() Option { return func(o *Options) { o.QuietWhileWebhook = true } }

// Server is a running fake Zalo Bot API. All methods are safe for concurrent
// use.
type Server struct {
	opts     Options
	now      func() time.Time
	srv      apitest.HTTPServer
	handlers map[string]handler

	mu        sync.Mutex
	changed   apitest.Changes // notified, with mu held, on every change
	revoked   bool
	chats     map[string]*chatState
	scripts   map[string][]Reply
	methodScr map[string][]Reply
	limiter   *limiter
	sent      map[string][]SentMessage
	all       []SentMessage
	actions   []ChatAction
	calls     map[string]int
	errors    map[int]int
	msgSeq    uint64

	queue     []queued
	queueSeq  uint64
	waiting   int // long polls waiting
	expire    chan struct{}
	webhook   webhookState
	hookPosts int // webhook deliveries answered 2xx
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
	if opts.Bot.ID == "" {
		id, _, _ := strings.Cut(opts.Token, ":")
		if id == "" {
			id = "1459232241454765289"
		}
		opts.Bot = BotInfo{ID: id, AccountName: "bot.LoaTest", AccountType: "BASIC"}
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		opts:      opts,
		now:       opts.Now,
		chats:     make(map[string]*chatState),
		scripts:   make(map[string][]Reply),
		methodScr: make(map[string][]Reply),
		limiter:   newLimiter(opts.GlobalLimit.Or(DefaultGlobalLimit), opts.ChatLimit.Or(DefaultChatLimit)),
		sent:      make(map[string][]SentMessage),
		calls:     make(map[string]int),
		errors:    make(map[int]int),
		expire:    make(chan struct{}),
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

// URL is the server's base URL, e.g. http://127.0.0.1:PORT, to use in place
// of https://bot-api.zaloplatforms.com.
func (s *Server) URL() string { return s.srv.URL() }

// MethodURL is the full URL of a method with the accepted token.
func (s *Server) MethodURL(method string) string {
	return s.srv.URL() + "/bot" + s.opts.Token + "/" + method
}

// Token is the accepted bot token.
func (s *Server) Token() string { return s.opts.Token }

// Bot is what getMe returns.
func (s *Server) Bot() BotInfo { return s.opts.Bot }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// RevokeToken makes every call with the token answer 401 "Unauthorized", as
// when the bot's token is reset in Zalo Bot Creator, until RestoreToken.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
	s.changed.Notify()
}

// RestoreToken undoes RevokeToken.
func (s *Server) RestoreToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = false
	s.changed.Notify()
}

// param is one request parameter. str is false for a JSON value that was not
// a string (a number, boolean, object or array), whose JSON text is v; a JSON
// null is an empty, non-string value.
type param struct {
	v   string
	str bool
}

// params are a request's parameters, whatever way they came.
type params map[string]param

func (p params) get(k string) string { return p[k].v }

// has reports a parameter that is present, not empty and not JSON null.
func (p params) has(k string) bool { return p[k].v != "" }

// isString reports whether a present parameter came as a string (always true
// outside JSON bodies).
func (p params) isString(k string) bool { return p[k].str }

func readParams(r *http.Request) (params, error) {
	p := make(params)
	for k, v := range r.URL.Query() {
		p[k] = param{v: v[0], str: true}
	}
	if r.Body == nil {
		return p, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(string(body))
	switch {
	case trimmed == "":
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			p[k] = param{v: v[0], str: true}
		}
	case ct == "multipart/form-data":
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = param{v: v[0], str: true}
		}
	case ct == "application/json" || ct == "" || strings.HasSuffix(ct, "+json"):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, err
		}
		for k, raw := range obj {
			var str string
			switch {
			case len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &str) == nil:
				p[k] = param{v: str, str: true}
			case string(raw) == "null":
				p[k] = param{}
			default:
				p[k] = param{v: string(raw)}
			}
		}
	default:
		return nil, errors.New("unsupported content type")
	}
	return p, nil
}

// ServeHTTP serves the Bot API. Order: path, token, method name (exact, as
// documented), revoked token, parameters, per-method script, the method.
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
	h, ok := s.handlers[method]
	if !ok {
		s.writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	s.mu.Lock()
	s.calls[h.name]++
	revoked := s.revoked
	s.changed.Notify()
	s.mu.Unlock()
	if revoked {
		s.writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
		return
	}
	p, err := readParams(r)
	if err != nil {
		s.badRequest(w, "can't parse request parameters")
		return
	}
	s.mu.Lock()
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
			s.fail(w, *reply)
			return
		}
	}
	h.fn(s, w, r, p)
}

// fail writes a scripted (or lasting) failure.
func (s *Server) fail(w http.ResponseWriter, r Reply) {
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
		// A verbatim body (a proxy's page) has its own HTTP status, the code.
		w.WriteHeader(httpStatus(r.Code, r.Status200))
		io.WriteString(w, r.Body)
	default:
		desc := r.Description
		if desc == "" {
			desc = http.StatusText(r.Code)
		}
		var rp *responseParameters
		if r.RetryAfter != 0 {
			rp = &responseParameters{RetryAfter: r.RetryAfter}
		}
		s.writeEnvelopeError(w, r.Code, desc, rp, r)
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

// responseParameters is sent only with scripted replies that set RetryAfter:
// the platform documents no such field.
type responseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type envelope struct {
	OK             bool                `json:"ok"`
	Result         any                 `json:"result,omitempty"`
	ErrorCode      int                 `json:"error_code,omitempty"`
	ErrorCodeCamel int                 `json:"errorCode,omitempty"`
	Description    string              `json:"description,omitempty"`
	Parameters     *responseParameters `json:"parameters,omitempty"`
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v envelope) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	writeBody(w, status, body)
}

// writeOK answers {"ok":true,"result":result}, or {"ok":true} for a nil
// result (sendChatAction's documented answer).
func (s *Server) writeOK(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result})
}

// httpStatus is the HTTP status for code: the code itself for 4xx and 5xx,
// unless status200 asks for 200 (ok:false in the body only).
func httpStatus(code int, status200 bool) int {
	if status200 || code < 400 || code > 599 {
		return http.StatusOK
	}
	return code
}

// writeError answers an error envelope and counts it.
func (s *Server) writeError(w http.ResponseWriter, code int, description string, p *responseParameters) {
	s.writeEnvelopeError(w, code, description, p, Reply{})
}

// writeEnvelopeError answers an error envelope with the HTTP status the server's
// options and the reply's ask for: 200 unless StatusEqualsCode (of either), and
// 200 whenever ErrorStatus200 or the reply's Status200 says so.
func (s *Server) writeEnvelopeError(w http.ResponseWriter, code int, description string, p *responseParameters, r Reply) {
	status200 := !(s.opts.StatusEqualsCode || r.StatusEqualsCode) || s.opts.ErrorStatus200 || r.Status200
	s.mu.Lock()
	s.errors[code]++
	s.changed.Notify()
	s.mu.Unlock()
	env := envelope{Description: description, Parameters: p}
	if s.opts.CamelErrorCode {
		env.ErrorCodeCamel = code
	} else {
		env.ErrorCode = code
	}
	writeJSON(w, httpStatus(code, status200), env)
}

func (s *Server) badRequest(w http.ResponseWriter, description string) {
	s.writeError(w, http.StatusBadRequest, "Bad Request: "+description, nil)
}

// WaitFor returns when cond() is true, re-checking after every change to the
// server (a call received, a message accepted, an error answered, updates
// queued or consumed, a webhook delivery), or with ctx's error. cond may call
// the Server's accessors.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return s.changed.WaitFor(ctx, s.srv.Done(), errors.New("zalotest: server closed"), cond)
}
