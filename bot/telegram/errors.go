package telegram

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/bot/botapi"
	"loa/broadcast"
)

// Error is a failed Bot API call. Its text, and the text of every error it wraps,
// never contains the bot token.
type Error struct {
	// Method is the Bot API method, e.g. "sendMessage".
	Method string
	// Code is the Bot API's error_code (also its HTTP status); 0 when no Bot API
	// answer came back (a network error, a proxy's HTML page).
	Code int
	// Description is Telegram's text, e.g. "Forbidden: bot was blocked by the user".
	Description string
	// RetryAfter is parameters.retry_after (429).
	RetryAfter time.Duration
	// MigrateTo is parameters.migrate_to_chat_id (a group that became a supergroup).
	MigrateTo int64
	// HTTPStatus is the response's status; 0 when there was no response.
	HTTPStatus int
	// Timeout: the call's deadline passed. Canceled: the caller's context ended.
	Timeout, Canceled bool
	// Err is the transport or decoding error, if any, with the token removed.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
	case e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK:
		return fmt.Sprintf("telegram %s: HTTP %d, not a Bot API answer: %v", e.Method, e.HTTPStatus, e.Err)
	}
	return fmt.Sprintf("telegram %s: %v", e.Method, e.Err)
}

// Unwrap returns the transport or decoding error.
func (e *Error) Unwrap() error { return e.Err }

// retryAfter is how long Telegram asked to wait: parameters.retry_after, else the
// number in "Too Many Requests: retry after N", else a few seconds.
func (e *Error) retryAfter() time.Duration {
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	if _, n, ok := strings.Cut(e.Description, "retry after "); ok {
		if s, err := strconv.Atoi(strings.TrimSpace(n)); err == nil && s > 0 {
			return time.Duration(s) * time.Second
		}
	}
	return 5 * time.Second
}

// sendError classifies a failed call for the broadcast engine:
//
//	429                                     RateLimited  too_many_requests (RetryAfter)
//	403 "bot was blocked by the user"       ChatGone     blocked
//	403 "user is deactivated"               ChatGone     deactivated
//	403 "bot was kicked from the … chat"    ChatGone     kicked
//	403 "bot is not a member of the … chat" ChatGone     not_member
//	400/403 "not enough rights to send …",
//	  "need administrator rights …"         ChatPaused   no_rights
//	403 anything else                       ChatGone     forbidden
//	400 with migrate_to_chat_id             Migrated     migrated (MigrateTo)
//	400 "chat not found"                    ChatGone     chat_not_found
//	400 "group chat was deactivated"        ChatGone     chat_deactivated
//	400 "message thread not found"          ThreadGone   thread_not_found
//	400 anything else                       Rejected     bad_request
//	401, 404 (token revoked or wrong URL)   Unauthorized unauthorized
//	other codes, 5xx, non-JSON answers      Transient    http_<status>
//	deadline passed                         Transient    timeout
//	caller's context ended                  Transient    canceled
//	200 with a body that is not JSON        Transient    bad_response
//	no answer (refused, reset, EOF)         Transient    network
//
// thread_not_found means the forum topic was deleted (or the chat is no forum any
// more) while the chat itself is fine: the engine clears the subscriber's thread and
// sends the message to the chat's main thread, as it re-sends after a migration;
// otherwise every later broadcast to that chat would fail the same way.
func sendError(err error) *broadcast.SendError {
	var e *Error
	if !errors.As(err, &e) {
		return &broadcast.SendError{Kind: broadcast.Transient, Reason: "network", Err: err}
	}
	se := &broadcast.SendError{Kind: broadcast.Transient, Err: err}
	desc := strings.ToLower(e.Description)
	status := e.Code
	if status == 0 {
		status = e.HTTPStatus
	}
	switch {
	case e.Code == http.StatusTooManyRequests:
		se.Kind, se.Reason, se.RetryAfter = broadcast.RateLimited, "too_many_requests", e.retryAfter()
	case (e.Code == http.StatusForbidden || e.Code == http.StatusBadRequest) && noRights(desc):
		se.Kind, se.Reason = broadcast.ChatPaused, "no_rights"
	case e.Code == http.StatusForbidden:
		se.Kind = broadcast.ChatGone
		switch {
		case strings.Contains(desc, "blocked by the user"):
			se.Reason = "blocked"
		case strings.Contains(desc, "user is deactivated"):
			se.Reason = "deactivated"
		case strings.Contains(desc, "bot was kicked"):
			se.Reason = "kicked"
		case strings.Contains(desc, "bot is not a member"):
			se.Reason = "not_member"
		default:
			se.Reason = "forbidden"
		}
	case e.Code == http.StatusBadRequest && e.MigrateTo != 0:
		se.Kind, se.Reason, se.MigrateTo = broadcast.Migrated, "migrated", strconv.FormatInt(e.MigrateTo, 10)
	case e.Code == http.StatusBadRequest && strings.Contains(desc, "chat not found"):
		se.Kind, se.Reason = broadcast.ChatGone, "chat_not_found"
	case e.Code == http.StatusBadRequest && strings.Contains(desc, "group chat was deactivated"):
		se.Kind, se.Reason = broadcast.ChatGone, "chat_deactivated"
	case e.Code == http.StatusBadRequest && strings.Contains(desc, "message thread not found"):
		se.Kind, se.Reason = broadcast.ThreadGone, "thread_not_found"
	case e.Code == http.StatusBadRequest:
		se.Kind, se.Reason = broadcast.Rejected, "bad_request"
	case status == http.StatusUnauthorized || status == http.StatusNotFound:
		se.Kind, se.Reason = broadcast.Unauthorized, "unauthorized"
	case e.Code != 0:
		se.Reason = "http_" + strconv.Itoa(e.Code)
	case e.Timeout:
		se.Reason = "timeout"
	case e.Canceled:
		se.Reason = "canceled"
	case e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK:
		se.Reason = "http_" + strconv.Itoa(e.HTTPStatus)
	case e.HTTPStatus == http.StatusOK:
		se.Reason = "bad_response"
	default:
		se.Reason = "network"
	}
	return se
}

// noRights reports whether a (lower-cased) description says the chat took the bot's
// right to post: a group that restricted it ("Bad Request: not enough rights to send
// text messages to the chat", also seen as 403 "Forbidden: not enough rights to …") or
// a channel that demoted it ("Bad Request: need administrator rights in the channel
// chat"). The chat is still there and its admins can give the right back, so it is
// paused, not gone.
func noRights(desc string) bool {
	return strings.Contains(desc, "not enough rights to") || strings.Contains(desc, "need administrator rights")
}

// redact removes the token from err's text and from every error it wraps (see
// botapi.Redact): the library's transport errors carry the request URL, and the URL
// carries the token.
func redact(err error, token string) error { return botapi.Redact(err, token) }
