package zalo

import (
	"errors"
	"net/http"
	"strings"

	"loa/bot/botapi"
	"loa/broadcast"
)

// Error is a failed Bot API call (see botapi.Error).
type Error = botapi.Error

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
		se.Kind, se.Reason, se.RetryAfter = broadcast.RateLimited, "too_many_requests", e.Hinted()
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
	se.Reason = e.TransportReason()
	return se
}

// tokenRejected: Zalo answered that the token is not valid; nothing works until the
// configuration (or the token in Zalo Bot Creator) changes.
func tokenRejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == http.StatusUnauthorized
}
