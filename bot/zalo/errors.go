package zalo

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
	// Code is the answer's error_code (or errorCode; else its HTTP status when that is
	// an error); 0 when no Bot API answer came back (a network error, a proxy's page).
	Code int
	// Description is Zalo's text, e.g. "Unauthorized".
	Description string
	// RetryAfter is parameters.retry_after when the answer has one (undocumented).
	RetryAfter time.Duration
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
		return fmt.Sprintf("zalo %s: %d %s", e.Method, e.Code, e.Description)
	case e.Err == nil:
		return fmt.Sprintf("zalo %s: failed without an error code: %q", e.Method, e.Description)
	case e.HTTPStatus != 0:
		return fmt.Sprintf("zalo %s: HTTP %d: %v", e.Method, e.HTTPStatus, e.Err)
	}
	return fmt.Sprintf("zalo %s: %v", e.Method, e.Err)
}

// Unwrap returns the transport or decoding error.
func (e *Error) Unwrap() error { return e.Err }

// defaultRetryAfter is how long a 429 without a hint pauses sending. Zalo documents
// 429 ("quota exceeded") but no retry hint and no numbers; a few seconds lets a
// per-second window free without hammering a quota that is longer.
const defaultRetryAfter = 5 * time.Second

// retryAfter is how long Zalo asked to wait (hinted), else defaultRetryAfter.
func (e *Error) retryAfter() time.Duration {
	if d := e.hinted(); d > 0 {
		return d
	}
	return defaultRetryAfter
}

// hinted is how long Zalo asked to wait: parameters.retry_after, else a number in
// "retry after N"; 0 when it named no wait (the documented 429 names none).
func (e *Error) hinted() time.Duration {
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	if _, n, ok := strings.Cut(strings.ToLower(e.Description), "retry after "); ok {
		if i := strings.IndexFunc(n, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
			n = n[:i]
		}
		if s, err := strconv.Atoi(n); err == nil && s > 0 {
			return time.Duration(s) * time.Second
		}
	}
	return 0
}

// chatGone reports whether a 400 or 404 says the chat cannot be reached any more, and
// names the reason. Zalo documents only the codes; the wording is what the fake
// answers ("chat not found") and what such a platform plausibly says.
func chatGone(desc string) (reason string, ok bool) {
	d := strings.ToLower(desc)
	switch {
	case strings.Contains(d, "chat not found"), strings.Contains(d, "chat_not_found"),
		strings.Contains(d, "chat id not found"), strings.Contains(d, "user not found"):
		return "chat_not_found", true
	case strings.Contains(d, "not follow"), strings.Contains(d, "unfollow"):
		return "not_following", true
	case strings.Contains(d, "blocked"):
		return "blocked", true
	}
	return "", false
}

// sendError classifies a failed call for the broadcast engine:
//
//	429                                       RateLimited  too_many_requests (RetryAfter: Zalo's hint, else 0)
//	401                                       Unauthorized unauthorized
//	400/404 "chat not found", "user not found" ChatGone    chat_not_found
//	400/404 user not following / unfollowed   ChatGone     not_following
//	400/404 "blocked"                         ChatGone     blocked
//	400 anything else                         Rejected     bad_request
//	404 anything else                         Rejected     not_found (GoneIfRepeated)
//	403 (Zalo: "internal error")              Transient    internal_error
//	408, 5xx, other codes                     Transient    http_<code>
//	HTTP error status, body not a Bot API one Transient    http_<status>
//	200 with a body that is not a Bot API one Transient    bad_response
//	ok:false without any code                 Transient    api_error
//	deadline passed                           Transient    timeout
//	caller's context ended                    Transient    canceled
//	no answer (refused, reset, EOF)           Transient    network
//
// A 429 is "quota exceeded", and the quota may be daily or monthly: without a hint
// from Zalo, RetryAfter is 0, and the dispatcher backs off doubling (5 s to 1 h)
// instead of asking again every few seconds.
//
// A 400 or 404 is about this message or this chat (Zalo: "bad request", "not
// found"), so it never stops the channel; only a 401 does. A 404 whose body is not a
// Bot API answer (a wrong LOA_ZALO_API_BASE behind a proxy) is transient, not a
// verdict on the chat.
func sendError(err error) *broadcast.SendError {
	var e *Error
	if !errors.As(err, &e) {
		return &broadcast.SendError{Kind: broadcast.Transient, Reason: "network", Err: err}
	}
	se := &broadcast.SendError{Kind: broadcast.Transient, Err: err}
	switch e.Code {
	case http.StatusTooManyRequests:
		se.Kind, se.Reason, se.RetryAfter = broadcast.RateLimited, "too_many_requests", e.hinted()
		return se
	case http.StatusUnauthorized:
		se.Kind, se.Reason = broadcast.Unauthorized, "unauthorized"
		return se
	case http.StatusBadRequest, http.StatusNotFound:
		if reason, ok := chatGone(e.Description); ok {
			se.Kind, se.Reason = broadcast.ChatGone, reason
		} else if e.Code == http.StatusBadRequest {
			se.Kind, se.Reason = broadcast.Rejected, "bad_request"
		} else {
			// Zalo documents no wording for a user who blocked the bot: a 404 on every
			// send to the chat for a day, while other chats are reached, is taken as
			// gone by the dispatcher.
			se.Kind, se.Reason, se.GoneIfRepeated = broadcast.Rejected, "not_found", true
		}
		return se
	case http.StatusForbidden:
		se.Reason = "internal_error"
		return se
	}
	switch {
	case e.Code != 0:
		se.Reason = "http_" + strconv.Itoa(e.Code)
	case e.Timeout:
		se.Reason = "timeout"
	case e.Canceled:
		se.Reason = "canceled"
	case e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK:
		se.Reason = "http_" + strconv.Itoa(e.HTTPStatus)
	case e.HTTPStatus == http.StatusOK && e.Err == nil:
		se.Reason = "api_error" // ok:false and no code at all
	case e.HTTPStatus == http.StatusOK:
		se.Reason = "bad_response"
	default:
		se.Reason = "network"
	}
	return se
}

// tokenRejected: Zalo answered that the token is not valid; nothing works until the
// configuration (or the token in Zalo Bot Creator) changes.
func tokenRejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == http.StatusUnauthorized
}

// redact removes the token from err's text and from every error it wraps (see
// botapi.Redact).
func redact(err error, token string) error { return botapi.Redact(err, token) }

// scrub replaces the token in s (see botapi.Scrub).
func scrub(s, token string) string { return botapi.Scrub(s, token) }
