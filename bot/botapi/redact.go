package botapi

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// Redact removes the bot token from err's text and from every error it wraps: a
// transport error is a *url.Error, whose text is the request URL, and both Bot APIs
// put the token in the URL. Context errors and timeouts stay recognisable
// (errors.Is, net.Error). An error without the token is returned as it is.
func Redact(err error, token string) error {
	if err == nil || !containsSecret(err.Error(), token) {
		return err
	}
	r := &redactedError{msg: Scrub(err.Error(), token)}
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		r.timeout = ue.Timeout()
		r.cause = Redact(ue.Err, token)
	case errors.Is(err, context.DeadlineExceeded):
		r.cause, r.timeout = context.DeadlineExceeded, true
	case errors.Is(err, context.Canceled):
		r.cause = context.Canceled
	}
	return r
}

// Scrub replaces the token, and each secret part of it, in s with "<token>".
func Scrub(s, token string) string {
	if !containsSecret(s, token) {
		return s
	}
	for _, p := range secretParts(token) {
		s = strings.ReplaceAll(s, p, "<token>")
	}
	return s
}

// secretParts are the strings that must not leak: the token, its URL-escaped form
// and, on its own, the part after the colon (the secret proper; a Telegram token is
// "<bot id>:<secret>").
func secretParts(token string) []string {
	parts := []string{token}
	if esc := url.PathEscape(token); esc != token {
		parts = append(parts, esc)
	}
	if _, s, ok := strings.Cut(token, ":"); ok && len(s) >= 8 {
		parts = append(parts, s)
		if esc := url.PathEscape(s); esc != s {
			parts = append(parts, esc)
		}
	}
	return parts
}

func containsSecret(s, token string) bool {
	if token == "" {
		return false
	}
	for _, p := range secretParts(token) {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// redactedError is an error whose text had the token removed. It keeps the
// net.Error methods, so a timeout is still seen as one.
type redactedError struct {
	msg     string
	cause   error
	timeout bool
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() error   { return e.cause }
func (e *redactedError) Timeout() bool   { return e.timeout }
func (e *redactedError) Temporary() bool { return false }
