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
	"net/http"
	"strings"
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
	// Token (default DefaultToken), Now, Unthrottled and WebhookClient.
	apitest.Options
	// Bot is what getMe returns; default an account named bot.LoaTest whose
	// id is the token's prefix.
	Bot BotInfo
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
	// Base gives Close, URL, Client, Token, WaitFor, Messages, AllMessages,
	// Accepted (texts and photos), WaitMessages, WaitAccepted, Errors,
	// Count429, Calls (the exact name; calls refused while the token was
	// revoked count), Script (the next sendMessage or sendPhoto calls to a
	// chat), ScriptMethod, LongPolls and ExpirePolls.
	apitest.Base[string, SentMessage, Reply]

	opts Options
	now  func() time.Time
	core *apitest.Core[string, SentMessage, Reply]

	// Guarded by core's lock.
	revoked   bool
	chats     map[string]*chatState
	limiter   *apitest.Limiter[string]
	actions   []ChatAction
	msgSeq    uint64
	queue     []queued
	queueSeq  uint64
	webhook   webhookState
	hookPosts int // webhook deliveries answered 2xx
}

// New starts a server; Close stops it.
func New(opts Options) *Server {
	opts.Defaults(DefaultToken)
	if opts.Bot.ID == "" {
		id, _, _ := strings.Cut(opts.Token, ":")
		if id == "" {
			id = "1459232241454765289"
		}
		opts.Bot = BotInfo{ID: id, AccountName: "bot.LoaTest", AccountType: "BASIC"}
	}
	s := &Server{
		opts:  opts,
		now:   opts.Now,
		chats: make(map[string]*chatState),
		// The platform has no group limit: one for a group would be off.
		limiter: apitest.NewLimiter[string](opts.Unthrottled,
			opts.GlobalLimit.Or(DefaultGlobalLimit), opts.ChatLimit.Or(DefaultChatLimit), Limit{}),
	}
	s.core = apitest.NewCore[string, SentMessage](apitest.Config[Reply]{
		Name: "zalotest", Token: opts.Token, Envelope: envelope{s}})
	s.Base = s.core.Base()
	s.core.Launch(s, s.methods(), s.webhookLoop)
	return s
}

// NewServer starts a server configured by opts and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return apitest.ForTest(t, New, opts)
}

// MethodURL is the full URL of a method with the accepted token (URL is to
// be used in place of https://bot-api.zaloplatforms.com).
func (s *Server) MethodURL(method string) string {
	return s.URL() + "/bot" + s.opts.Token + "/" + method
}

// Bot is what getMe returns.
func (s *Server) Bot() BotInfo { return s.opts.Bot }

// RevokeToken makes every call with the token answer 401 "Unauthorized", as
// when the bot's token is reset in Zalo Bot Creator, until RestoreToken.
func (s *Server) RevokeToken() { s.setRevoked(true) }

// RestoreToken undoes RevokeToken.
func (s *Server) RestoreToken() { s.setRevoked(false) }

func (s *Server) setRevoked(revoked bool) {
	s.core.Lock()
	defer s.core.Unlock()
	s.revoked = revoked
	s.core.NotifyLocked()
}

// ServeHTTP serves the Bot API. Order: path, token, method name (exact, as
// documented), revoked token, parameters, per-method script, the method.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, h, ok := s.core.Route(w, r)
	if !ok {
		return
	}
	s.core.Lock()
	revoked := s.revoked
	s.core.Unlock()
	if revoked {
		s.writeError(w, http.StatusUnauthorized, "Unauthorized", nil)
		return
	}
	s.core.Serve(w, r, name, h)
}

// body is how the platform reads request bodies: JSON (also without a
// Content-Type), a form or a multipart form; another type is refused.
var body = apitest.Body{Max: 10 << 20, UntypedJSON: true}

// envelope is the platform's wire format for the core: the {"ok":...}
// envelope with error_code and description, sent with HTTP 200 unless the
// options ask for the code as the status.
type envelope struct{ s *Server }

func (e envelope) ReadParams(r *http.Request) (apitest.Params, error) { return body.ReadParams(r) }

func (e envelope) WriteError(w http.ResponseWriter, code int, description string) {
	e.s.writeError(w, code, description, nil)
}

func (e envelope) Fail(w http.ResponseWriter, r Reply) { e.s.fail(w, r) }

func (e envelope) Step(r Reply) apitest.Step {
	return apitest.Step{Gate: r.Gate, Fails: r.failure(), Deliver: r.Deliver}
}

// fail writes a scripted (or lasting) failure.
func (s *Server) fail(w http.ResponseWriter, r Reply) {
	switch {
	case r.Hangup:
		apitest.Hangup(w)
	case r.Body != "":
		s.core.CountError(r.Code)
		// A verbatim body (a proxy's page) has its own HTTP status, the code.
		apitest.WriteBody(w, httpStatus(r.Code, r.Status200), r.ContentType, []byte(r.Body))
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

// responseParameters is sent only with scripted replies that set RetryAfter:
// the platform documents no such field.
type responseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type response struct {
	OK             bool                `json:"ok"`
	Result         any                 `json:"result,omitempty"`
	ErrorCode      int                 `json:"error_code,omitempty"`
	ErrorCodeCamel int                 `json:"errorCode,omitempty"`
	Description    string              `json:"description,omitempty"`
	Parameters     *responseParameters `json:"parameters,omitempty"`
}

const contentType = "application/json; charset=utf-8"

// writeOK answers {"ok":true,"result":result}, or {"ok":true} for a nil
// result (sendChatAction's documented answer).
func (s *Server) writeOK(w http.ResponseWriter, result any) {
	apitest.WriteJSON(w, http.StatusOK, contentType, response{OK: true, Result: result})
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
	s.core.CountError(code)
	env := response{Description: description, Parameters: p}
	if s.opts.CamelErrorCode {
		env.ErrorCodeCamel = code
	} else {
		env.ErrorCode = code
	}
	apitest.WriteJSON(w, httpStatus(code, status200), contentType, env)
}

func (s *Server) badRequest(w http.ResponseWriter, description string) {
	s.writeError(w, http.StatusBadRequest, "Bad Request: "+description, nil)
}
