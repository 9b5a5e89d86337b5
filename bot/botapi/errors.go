package botapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/chat"
)

// Error is a failed Bot API call: an answer with ok false (both messengers answer
// {ok, error_code, description, parameters}), an answer that is no Bot API answer, or
// no answer at all. Its text, and the text of every error it wraps, never contains the
// bot token. Each adapter classifies it for the broadcast engine its own way; what it
// means on the wire is the same.
type Error struct {
	// Channel is the messenger whose API failed; it begins the text.
	Channel chat.Channel
	// Method is the Bot API method, e.g. "sendMessage".
	Method string
	// Code is the answer's error_code (else, on Zalo, its HTTP status when that is an
	// error); 0 when no Bot API answer came back (a network error, a proxy's page).
	Code int
	// Description is the messenger's text, e.g. "Forbidden: bot was blocked by the user".
	Description string
	// RetryAfter is parameters.retry_after (a 429's wait; Zalo does not document it).
	RetryAfter time.Duration
	// MigrateTo is parameters.migrate_to_chat_id: a Telegram group that became a
	// supergroup.
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
		return fmt.Sprintf("%s %s: %d %s", e.Channel, e.Method, e.Code, e.Description)
	case e.Err == nil:
		return fmt.Sprintf("%s %s: failed without an error code: %q", e.Channel, e.Method, e.Description)
	case e.HTTPStatus != 0:
		return fmt.Sprintf("%s %s: HTTP %d: %v", e.Channel, e.Method, e.HTTPStatus, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Channel, e.Method, e.Err)
}

// Unwrap returns the transport or decoding error.
func (e *Error) Unwrap() error { return e.Err }

// Interrupted records why a call without an answer ended: Timeout when its deadline
// passed or the network timed out, else Canceled when the caller's ctx ended.
func (e *Error) Interrupted(ctx context.Context, err error) {
	e.Timeout = errors.Is(ctx.Err(), context.DeadlineExceeded) || IsTimeout(err)
	e.Canceled = !e.Timeout && ctx.Err() != nil
}

// DefaultRetryAfter is how long a 429 that names no wait holds a call back: a few
// seconds lets a per-second window free without hammering a longer quota.
const DefaultRetryAfter = 5 * time.Second

// Hinted is how long the messenger asked to wait: parameters.retry_after, else the
// number in "retry after N" in the description; 0 when it named no wait.
func (e *Error) Hinted() time.Duration {
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

// Wait is how long to wait before calling again after a 429: Hinted, else
// DefaultRetryAfter.
func (e *Error) Wait() time.Duration {
	if d := e.Hinted(); d > 0 {
		return d
	}
	return DefaultRetryAfter
}

// TransportReason names a failure that is no verdict of the API (a transient one) for
// the engine's SendError.Reason: an error code the adapter does not classify
// ("http_<code>"), "timeout", "canceled", an HTTP error status without a Bot API
// answer ("http_<status>"), ok false without any code ("api_error"), an HTTP 200 that
// is no Bot API answer ("bad_response"), or no answer at all ("network").
func (e *Error) TransportReason() string {
	switch {
	case e.Code != 0:
		return "http_" + strconv.Itoa(e.Code)
	case e.Timeout:
		return "timeout"
	case e.Canceled:
		return "canceled"
	case e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK:
		return "http_" + strconv.Itoa(e.HTTPStatus)
	case e.HTTPStatus == http.StatusOK && e.Err == nil:
		return "api_error"
	case e.HTTPStatus == http.StatusOK:
		return "bad_response"
	}
	return "network"
}

// Decode unmarshals a call's result into a T; a result that does not fit is an *Error
// of the call (HTTP 200, "decode result").
func Decode[T any](channel chat.Channel, method string, raw json.RawMessage, err error) (T, error) {
	var v T
	if err != nil {
		return v, err
	}
	if uerr := json.Unmarshal(raw, &v); uerr != nil {
		return v, &Error{Channel: channel, Method: method, HTTPStatus: http.StatusOK, Err: fmt.Errorf("decode result: %w", uerr)}
	}
	return v, nil
}

// RateLimited reports whether err is a 429, and how long to wait before calling again
// (Wait): the retry test Pacer.DoSpaced takes.
func RateLimited(err error) (time.Duration, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != http.StatusTooManyRequests {
		return 0, false
	}
	return e.Wait(), true
}

// Warn logs a failed call, at debug level when it failed because ctx ended (a shutdown
// is not a failure).
func Warn(ctx context.Context, log *slog.Logger, msg string, err error) {
	level := slog.LevelWarn
	if ctx.Err() != nil {
		level = slog.LevelDebug
	}
	log.Log(ctx, level, msg, slog.String("error", err.Error()))
}
