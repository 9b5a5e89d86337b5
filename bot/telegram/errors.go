package telegram

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"loa/bot/botapi"
	"loa/broadcast"
)

// Error is a failed Bot API call (see botapi.Error); MigrateTo is set for a group
// that became a supergroup.
type Error = botapi.Error

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
		se.Kind, se.Reason, se.RetryAfter = broadcast.RateLimited, "too_many_requests", e.Wait()
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
	default:
		se.Reason = e.TransportReason()
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
