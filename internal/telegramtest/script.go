package telegramtest

import (
	"net/http"
	"time"

	"loa/internal/apitest"
)

// ChatState is a lasting condition of a chat that makes sendMessage fail.
type ChatState int

// Chat states. Each answers every sendMessage to the chat until changed.
const (
	// ChatOK accepts messages.
	ChatOK ChatState = iota
	// ChatBlocked: 403 "Forbidden: bot was blocked by the user".
	ChatBlocked
	// ChatDeactivated: 403 "Forbidden: user is deactivated".
	ChatDeactivated
	// ChatKicked: 403 "Forbidden: bot was kicked from the group chat" (or
	// "supergroup chat", "channel chat" by the chat's type).
	ChatKicked
	// ChatNotStarted: 403 "Forbidden: bot can't initiate conversation with a user".
	ChatNotStarted
	// ChatLeft is set by leaveChat: 403 "Forbidden: bot is not a member of the
	// group chat" (or "supergroup chat", "channel chat").
	ChatLeft
	// ChatGone: 400 "Bad Request: chat not found".
	ChatGone
	// ChatNoRights: the chat took the bot's right to post (BotRightsChanged sets it):
	// a group or supergroup answers 400 "Bad Request: not enough rights to send text
	// messages to the chat", a channel 400 "Bad Request: need administrator rights in
	// the channel chat".
	ChatNoRights
)

// Gate holds scripted requests until the test releases them; the held request
// also ends when its client goes away or the server closes. Nothing sleeps.
type Gate = apitest.Gate

// NewGate returns a closed gate.
func NewGate() *Gate { return apitest.NewGate() }

type replyKind int

const (
	replyPlain replyKind = iota
	replyKicked
)

// Reply is a one-shot scripted answer, queued with Server.Script (per chat) or
// Server.ScriptMethod (per method). Build it with the helpers below or by hand.
// A Reply with only Gate set holds the request and then processes it normally.
type Reply struct {
	// Gate, when set, holds the request until the gate is released.
	Gate *Gate
	// Code, when non-zero, is the error_code (and HTTP status) to answer with.
	Code        int
	Description string
	// RetryAfter and MigrateTo fill "parameters".
	RetryAfter int
	MigrateTo  int64
	// Body, when set, is sent verbatim with Code as the HTTP status and
	// ContentType (e.g. an nginx HTML error page).
	Body        string
	ContentType string
	// Hangup closes the connection without an answer.
	Hangup bool
	// Deliver makes sendMessage accept and record the message first, so the
	// failure (Code, Body or Hangup) happens after Telegram took it: the case of
	// an answer lost on the way back.
	Deliver bool
	// Late makes sendMessage accept and record the message at once and send its
	// answer (success, or a failure scripted with Deliver) only after this long: a slow network or
	// an overloaded API, where the message reached the chat long before the sender
	// learns it. The wait ends early, without an answer, when the client goes away
	// or the server closes.
	Late time.Duration

	kind replyKind
}

// Fail answers with error_code code and description.
func Fail(code int, description string) Reply { return Reply{Code: code, Description: description} }

// Blocked answers 403 "Forbidden: bot was blocked by the user".
func Blocked() Reply { return Fail(http.StatusForbidden, "Forbidden: bot was blocked by the user") }

// Deactivated answers 403 "Forbidden: user is deactivated".
func Deactivated() Reply { return Fail(http.StatusForbidden, "Forbidden: user is deactivated") }

// KickedReply answers 403 "Forbidden: bot was kicked from the <type> chat" for
// the chat's type.
func KickedReply() Reply { return Reply{Code: http.StatusForbidden, kind: replyKicked} }

// NoRights answers 400 "Bad Request: not enough rights to send text messages to the
// chat", what a group that restricted the bot answers. Telegram has also been seen to
// give the same words with 403 "Forbidden: …": script that with Fail.
func NoRights() Reply {
	return Fail(http.StatusBadRequest, "Bad Request: not enough rights to send text messages to the chat")
}

// ChatNotFound answers 400 "Bad Request: chat not found".
func ChatNotFound() Reply { return Fail(http.StatusBadRequest, "Bad Request: chat not found") }

// TooManyRequests answers 429 "Too Many Requests: retry after N" with
// parameters.retry_after = N.
func TooManyRequests(retryAfter int) Reply {
	return Reply{Code: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// Migrated answers 400 "Bad Request: group chat was upgraded to a supergroup
// chat" with parameters.migrate_to_chat_id. Server.MigrateChat makes it lasting.
func Migrated(to int64) Reply {
	return Reply{Code: http.StatusBadRequest, Description: migratedDescription, MigrateTo: to}
}

// ServerError answers with a JSON error envelope and the given 5xx status, e.g.
// 500 "Internal Server Error", as the Bot API does for its own failures.
func ServerError(status int) Reply { return Fail(status, http.StatusText(status)) }

// BadGateway answers 502 with nginx's HTML page, what clients see when
// Telegram's front end cannot reach the Bot API: the body is not JSON.
func BadGateway() Reply {
	return Reply{Code: http.StatusBadGateway, ContentType: "text/html",
		Body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"}
}

// Hangup closes the connection without answering.
func Hangup() Reply { return Reply{Hangup: true} }

// LateAnswer accepts the message at once and answers it after d (see Reply.Late).
func LateAnswer(d time.Duration) Reply { return Reply{Late: d} }

// Hold holds the request at g, then processes it normally.
func Hold(g *Gate) Reply { return Reply{Gate: g} }

const migratedDescription = "Bad Request: group chat was upgraded to a supergroup chat"

// stateReply is the error a chat state produces, nil for ChatOK.
func stateReply(st ChatState, t ChatType) *Reply {
	var r Reply
	switch st {
	case ChatBlocked:
		r = Blocked()
	case ChatDeactivated:
		r = Deactivated()
	case ChatKicked:
		r = KickedReply()
	case ChatNotStarted:
		r = Fail(http.StatusForbidden, "Forbidden: bot can't initiate conversation with a user")
	case ChatLeft:
		r = Fail(http.StatusForbidden, "Forbidden: bot is not a member of the "+string(t)+" chat")
	case ChatGone:
		r = ChatNotFound()
	case ChatNoRights:
		r = NoRights()
		if t == Channel {
			r = Fail(http.StatusBadRequest, "Bad Request: need administrator rights in the channel chat")
		}
	default:
		return nil
	}
	return &r
}
