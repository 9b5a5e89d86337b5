package botapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"
)

func TestNewHTTPClient(t *testing.T) {
	t.Parallel()
	c := NewHTTPClient(50 * time.Second)
	if c.Timeout != 50*time.Second || c.Transport == nil {
		t.Errorf("client: timeout %v, transport %v", c.Timeout, c.Transport)
	}
	if c2 := NewHTTPClient(time.Second); c2.Transport == c.Transport {
		t.Error("two clients share a transport")
	}
}

func TestIsTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadline", context.DeadlineExceeded, true},
		{"wrapped deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), true},
		{"canceled", context.Canceled, false},
		{"url timeout", &url.Error{Op: "Post", URL: "u", Err: timeoutError{}}, true},
		{"other", errors.New("connection refused"), false},
	}
	for _, tc := range tests {
		if got := IsTimeout(tc.err); got != tc.want {
			t.Errorf("%s: IsTimeout = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// timeoutError is a net.Error that timed out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
