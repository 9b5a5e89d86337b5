package botapi

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	const token = "123:ABCDEFGHIJ_secret"
	tests := []struct {
		name     string
		err      error
		deadline bool // errors.Is(…, context.DeadlineExceeded) afterwards
		canceled bool
		timeout  bool // a net.Error that times out
	}{
		{"url error", &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + token + "/getMe", Err: context.DeadlineExceeded}, true, false, true},
		{"url error, canceled", &url.Error{Op: "Post", URL: "https://x/bot" + token + "/getMe", Err: context.Canceled}, false, true, false},
		{"joined", errors.Join(errors.New("GET /bot"+token+"/x"), context.DeadlineExceeded), true, false, true},
		{"secret part alone", errors.New("key ABCDEFGHIJ_secret rejected"), false, false, false},
		{"escaped", errors.New("GET /bot" + url.PathEscape("123:ABCDEFGHIJ_secret") + "/x"), false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Redact(tc.err, token)
			if strings.Contains(err.Error(), "ABCDEFGHIJ") {
				t.Errorf("Redact = %q, shows the token", err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tc.deadline {
				t.Errorf("errors.Is(DeadlineExceeded) = %v, want %v", got, tc.deadline)
			}
			if got := errors.Is(err, context.Canceled); got != tc.canceled {
				t.Errorf("errors.Is(Canceled) = %v, want %v", got, tc.canceled)
			}
			var ne net.Error
			if got := errors.As(err, &ne) && ne.Timeout(); got != tc.timeout {
				t.Errorf("a timeout: %v, want %v", got, tc.timeout)
			}
		})
	}
}

func TestRedactPassesThrough(t *testing.T) {
	t.Parallel()
	plain := errors.New("no secret here")
	for _, token := range []string{"123:ABCDEFGHIJ_secret", ""} {
		if got := Redact(plain, token); got != plain {
			t.Errorf("Redact(%q) changed an error without the token: %v", token, got)
		}
	}
	if Redact(nil, "123:ABCDEFGHIJ_secret") != nil {
		t.Error("Redact(nil) is not nil")
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s, token, want string
	}{
		{"a 123:abcdefghijkl b", "123:abcdefghijkl", "a <token> b"},
		{"a abcdefghijkl b", "123:abcdefghijkl", "a <token> b"},
		{"a abc b", "123:abc", "a abc b"}, // a short secret part is not scrubbed alone
		{"bot a%2Fb%3Fc/x", "a/b?c", "bot <token>/x"},
		{"nothing", "", "nothing"},
	}
	for _, tc := range tests {
		if got := Scrub(tc.s, tc.token); got != tc.want {
			t.Errorf("Scrub(%q, %q) = %q, want %q", tc.s, tc.token, got, tc.want)
		}
	}
}
