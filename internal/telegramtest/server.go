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
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"loa/internal/apitest"
)

// DefaultToken is the bot token a server accepts unless Options.Token is set.
const DefaultToken = "123456789:AAF-telegramtest-fake-token_0123456"

// Options configures a Server. The zero value is a throttled server with the
// default limits and the real clock.
type Options struct {
	// Token (default DefaultToken), Now, Unthrottled and WebhookClient.
	apitest.Options
	// Bot is what getMe returns; default a bot named loa_test_bot whose id is
	// the token's numeric prefix.
	Bot User
	// GlobalLimit, ChatLimit and GroupLimit override the defaults
	// (DefaultGlobalLimit etc.) when non-zero. A Limit with N < 0 turns that
	// one limit off.
	GlobalLimit, ChatLimit, GroupLimit Limit
	// LenientHTML accepts what Telegram accepts: a bare "&" or ">" in HTML text
	// is taken literally. By default the fake is stricter than Telegram and
	// rejects them, so a renderer that forgets to escape is caught even when the
	// text would happen to render.
	LenientHTML bool
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
	// Base gives Close, URL, Client, Token, WaitFor, Messages, AllMessages,
	// Accepted, WaitMessages, WaitAccepted, Errors, Count429, Calls (any
	// case), Script (the next sendMessage calls to a chat, by numeric id),
	// ScriptMethod, LongPolls and ExpirePolls.
	apitest.Base[int64, SentMessage, Reply]

	opts Options
	now  func() time.Time
	bot  User
	core *apitest.Core[int64, SentMessage, Reply]

	// Guarded by core's lock.
	chats     map[int64]*chatState
	usernames map[string]int64
	users     map[int64]User
	members   map[[2]int64]MemberStatus
	limiter   *apitest.Limiter[int64]
	chatCalls map[int64]int // sendMessage calls per chat, for AnswerDelay

	nextUpdateID int
	queue        []Update
	allowed      []string
	pollKill     chan struct{}
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

// New starts a server; Close stops it.
func New(opts Options) *Server {
	opts.Defaults(DefaultToken)
	if opts.Bot.ID == 0 {
		id, err := strconv.ParseInt(strings.SplitN(opts.Token, ":", 2)[0], 10, 64)
		if err != nil || id <= 0 {
			id = 123456789
		}
		opts.Bot = User{ID: id, IsBot: true, FirstName: "Loa Test", Username: "loa_test_bot"}
	}
	s := &Server{
		opts:      opts,
		now:       opts.Now,
		bot:       opts.Bot,
		chats:     make(map[int64]*chatState),
		usernames: make(map[string]int64),
		users:     make(map[int64]User),
		members:   make(map[[2]int64]MemberStatus),
		limiter: apitest.NewLimiter[int64](opts.Unthrottled,
			opts.GlobalLimit.Or(DefaultGlobalLimit), opts.ChatLimit.Or(DefaultChatLimit), opts.GroupLimit.Or(DefaultGroupLimit)),
		chatCalls:    make(map[int64]int),
		nextUpdateID: 100000001,
		delivered:    make(map[string]bool),
		answered:     make(map[string]bool),
		commands:     make(map[string][]BotCommand),
	}
	s.core = apitest.NewCore[int64, SentMessage](apitest.Config[Reply]{
		Name: "telegramtest", Token: opts.Token, FoldCase: true, Envelope: envelope{s}})
	s.Base = s.core.Base()
	s.core.Launch(s, s.methods(), s.webhookLoop)
	return s
}

// NewServer starts a server configured by opts and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return apitest.ForTest(t, New, opts)
}

// Endpoint is the API endpoint in go-telegram-bot-api's format,
// http://127.0.0.1:PORT/bot%s/%s.
func (s *Server) Endpoint() string { return s.URL() + "/bot%s/%s" }

// ServeHTTP serves the Bot API. Order: path, token, method name (any case),
// parameters, per-method script, the method.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.core.ServeHTTP(w, r) }

// Bot is the bot's own user (getMe).
func (s *Server) Bot() User { return s.bot }

// body is how Telegram reads request bodies: a form, a multipart form or
// JSON by their Content-Type, anything else ignored (parameters then come
// from the query only).
var body = apitest.Body{Max: 50 << 20}

// envelope is Telegram's wire format for the core: the {"ok":...} envelope
// with error_code (also the HTTP status), description and parameters.
type envelope struct{ s *Server }

func (e envelope) ReadParams(r *http.Request) (apitest.Params, error) { return body.ReadParams(r) }

func (e envelope) WriteError(w http.ResponseWriter, code int, description string) {
	e.s.writeError(w, code, description, nil)
}

func (e envelope) Fail(w http.ResponseWriter, r Reply) { e.s.fail(w, r, "") }

func (e envelope) Step(r Reply) apitest.Step {
	return apitest.Step{Gate: r.Gate, Fails: r.failure(), Deliver: r.Deliver}
}

func (r *Reply) failure() bool { return r.Code != 0 || r.Body != "" || r.Hangup }

// fail writes a scripted failure; chatType words the "kicked" description.
func (s *Server) fail(w http.ResponseWriter, r Reply, chatType ChatType) {
	switch {
	case r.Hangup:
		apitest.Hangup(w)
	case r.Body != "":
		s.core.CountError(r.Code)
		apitest.WriteBody(w, r.Code, r.ContentType, []byte(r.Body))
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

type responseParameters struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

type response struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

func (s *Server) writeOK(w http.ResponseWriter, result any, description string) {
	apitest.WriteJSON(w, http.StatusOK, "application/json", response{OK: true, Result: result, Description: description})
}

// writeError answers an error in the Bot API's shape, with the error code as
// the HTTP status, and counts it.
func (s *Server) writeError(w http.ResponseWriter, code int, description string, p *responseParameters) {
	s.core.CountError(code)
	apitest.WriteJSON(w, code, "application/json", response{ErrorCode: code, Description: description, Parameters: p})
}

func (s *Server) badRequest(w http.ResponseWriter, description string) {
	s.writeError(w, http.StatusBadRequest, "Bad Request: "+description, nil)
}
