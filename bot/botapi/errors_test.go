package botapi

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"loa/chat"
)

// TestErrorText: an error says whose API and which method failed, and how; a failure
// that is no verdict of the API is named for the engine (TransportReason).
func TestErrorText(t *testing.T) {
	t.Parallel()
	refused := errors.New("connection refused")
	bad := errors.New("invalid character '<'")
	for _, tt := range []struct {
		e            Error
		text, reason string
	}{
		{Error{Channel: chat.Telegram, Method: "sendMessage", Code: 403, Description: "Forbidden: bot was blocked by the user"},
			"telegram sendMessage: 403 Forbidden: bot was blocked by the user", "http_403"},
		{Error{Channel: chat.Zalo, Method: "sendMessage", HTTPStatus: 200, Description: "odd"},
			`zalo sendMessage: failed without an error code: "odd"`, "api_error"},
		{Error{Channel: chat.Zalo, Method: "getMe", HTTPStatus: 502, Err: errors.New("not a Bot API answer")},
			"zalo getMe: HTTP 502: not a Bot API answer", "http_502"},
		{Error{Channel: chat.Telegram, Method: "getMe", HTTPStatus: 200, Err: bad},
			"telegram getMe: HTTP 200: invalid character '<'", "bad_response"},
		{Error{Channel: chat.Telegram, Method: "getMe", Err: refused}, "telegram getMe: connection refused", "network"},
		{Error{Channel: chat.Zalo, Method: "getUpdates", Timeout: true, Err: context.DeadlineExceeded},
			"zalo getUpdates: context deadline exceeded", "timeout"},
		{Error{Channel: chat.Zalo, Method: "getUpdates", Canceled: true, Err: context.Canceled},
			"zalo getUpdates: context canceled", "canceled"},
	} {
		if got := tt.e.Error(); got != tt.text {
			t.Errorf("Error() = %q; want %q", got, tt.text)
		}
		if got := tt.e.TransportReason(); got != tt.reason {
			t.Errorf("%s: TransportReason = %q; want %q", tt.text, got, tt.reason)
		}
	}
	if e := (&Error{Err: refused}); !errors.Is(e, refused) {
		t.Error("Unwrap does not reach the transport error")
	}
}

func TestErrorWait(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		e            Error
		hinted, wait time.Duration
	}{
		{Error{RetryAfter: 41 * time.Second, Description: "retry after 7"}, 41 * time.Second, 41 * time.Second},
		{Error{Description: "Too Many Requests: retry after 7"}, 7 * time.Second, 7 * time.Second},
		{Error{Description: "Quota exceeded. Retry after 30 seconds"}, 30 * time.Second, 30 * time.Second},
		{Error{Description: "quota exceeded"}, 0, DefaultRetryAfter},
	} {
		if got := tt.e.Hinted(); got != tt.hinted {
			t.Errorf("%q: Hinted = %v; want %v", tt.e.Description, got, tt.hinted)
		}
		if got := tt.e.Wait(); got != tt.wait {
			t.Errorf("%q: Wait = %v; want %v", tt.e.Description, got, tt.wait)
		}
	}
}

func TestErrorInterrupted(t *testing.T) {
	t.Parallel()
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	ended, end := context.WithCancel(context.Background())
	end()
	for _, tt := range []struct {
		ctx               context.Context
		err               error
		timeout, canceled bool
	}{
		{expired, fmt.Errorf("post: %w", context.DeadlineExceeded), true, false},
		{ended, context.Canceled, false, true},
		{context.Background(), errors.New("connection reset"), false, false},
	} {
		var e Error
		e.Interrupted(tt.ctx, tt.err)
		if e.Timeout != tt.timeout || e.Canceled != tt.canceled {
			t.Errorf("%v: Timeout %v Canceled %v; want %v %v", tt.err, e.Timeout, e.Canceled, tt.timeout, tt.canceled)
		}
	}
}
