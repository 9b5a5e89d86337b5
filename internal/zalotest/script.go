package zalotest

import (
	"net/http"

	"loa/internal/apitest"
)

// Gate holds scripted requests until the test releases them; the held request
// also ends when its client goes away or the server closes. Nothing sleeps.
type Gate = apitest.Gate

// NewGate returns a closed gate.
func NewGate() *Gate { return apitest.NewGate() }

// Reply is a scripted answer: one-shot when queued with Server.Script (per
// chat) or Server.ScriptMethod (per method), lasting when set with
// Server.SetChatFailure. Build it with the helpers below or by hand. A Reply
// with only Gate set holds the request and then processes it normally.
type Reply struct {
	// Gate, when set, holds the request until the gate is released.
	Gate *Gate
	// Code, when non-zero, is the error_code to answer with, in an envelope
	// sent with HTTP 200 unless StatusEqualsCode (here or in the server's
	// Options) asks for the code as the HTTP status.
	Code        int
	Description string
	// StatusEqualsCode sends the error envelope with the code as HTTP status.
	StatusEqualsCode bool
	// Status200 forces HTTP 200 (for a server with StatusEqualsCode, and for a
	// verbatim Body).
	Status200 bool
	// RetryAfter, when non-zero, adds "parameters":{"retry_after":N}. The
	// platform documents no such field; use it to test a client that reads one
	// when present.
	RetryAfter int
	// Body, when set, is sent verbatim with Code as the HTTP status (200 with
	// Status200) and ContentType (e.g. a proxy's HTML error page).
	Body        string
	ContentType string
	// Hangup closes the connection without an answer.
	Hangup bool
	// Deliver makes sendMessage or sendPhoto accept and record the message
	// first, so the failure (Code, Body or Hangup) happens after the platform
	// took it: the case of an answer lost on the way back.
	Deliver bool
}

func (r *Reply) failure() bool { return r.Code != 0 || r.Body != "" || r.Hangup }

// WithStatus200 returns the reply answered with HTTP status 200 and ok:false,
// whatever the server's options.
func (r Reply) WithStatus200() Reply { r.Status200 = true; return r }

// WithStatusEqualsCode returns the reply answered with its code as HTTP status.
func (r Reply) WithStatusEqualsCode() Reply { r.StatusEqualsCode = true; return r }

// Fail answers with error_code code and description.
func Fail(code int, description string) Reply { return Reply{Code: code, Description: description} }

// BadRequest answers 400 "Bad Request: <description>".
func BadRequest(description string) Reply {
	return Fail(http.StatusBadRequest, "Bad Request: "+description)
}

// TokenInvalid answers 401 "Unauthorized", what a revoked or wrong token gets.
// RevokeToken makes it lasting for every call.
func TokenInvalid() Reply { return Fail(http.StatusUnauthorized, "Unauthorized") }

// InternalError answers 403 "Internal error", the platform's documented
// meaning of 403 (a transient failure on its side, not a refusal).
func InternalError() Reply { return Fail(http.StatusForbidden, "Internal error") }

// NotFound answers 404 "Not Found: chat not found", what a send to a chat the
// bot cannot reach gets (see Server.AddChat).
func NotFound() Reply { return Fail(http.StatusNotFound, chatNotFound) }

// QuotaExceeded answers 429 "Too Many Requests: quota exceeded", what the rate
// limit answers.
func QuotaExceeded() Reply { return Fail(http.StatusTooManyRequests, quotaExceeded) }

// RequestTimeout answers 408 "Request timeout", what an idle getUpdates gets.
func RequestTimeout() Reply { return Fail(http.StatusRequestTimeout, requestTimeout) }

// ServerError answers with a JSON error envelope and the given 5xx status,
// e.g. 500 "Internal Server Error".
func ServerError(status int) Reply { return Fail(status, http.StatusText(status)) }

// BadGateway answers 502 with an nginx HTML page, what clients see when the
// platform's front end cannot reach the API: the body is not JSON.
func BadGateway() Reply {
	return Reply{Code: http.StatusBadGateway, ContentType: "text/html",
		Body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"}
}

// Hangup closes the connection without answering.
func Hangup() Reply { return Reply{Hangup: true} }

// Hold holds the request at g, then processes it normally.
func Hold(g *Gate) Reply { return Reply{Gate: g} }

// Descriptions the fake chooses where the platform documents only the code.
const (
	chatNotFound   = "Not Found: chat not found"
	quotaExceeded  = "Too Many Requests: quota exceeded"
	requestTimeout = "Request timeout"
	webhookActive  = "Conflict: getUpdates is not available while a webhook is set; use deleteWebhook first"
)
