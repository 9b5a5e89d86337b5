package botapi

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"loa/chat"
)

func TestErrorText(t *testing.T) {
	t.Parallel()
	refused := errors.New("connection refused")
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Channel: chat.Telegram, Method: "sendMessage", Code: 403, Description: "Forbidden: bot was blocked by the user"},
			"telegram sendMessage: 403 Forbidden: bot was blocked by the user"},
		{Error{Channel: chat.Zalo, Method: "sendMessage", HTTPStatus: 200, Description: "odd"},
			`zalo sendMessage: failed without an error code: "odd"`},
		{Error{Channel: chat.Zalo, Method: "getMe", HTTPStatus: 502, Err: errors.New("not a Bot API answer")},
			"zalo getMe: HTTP 502: not a Bot API answer"},
		{Error{Channel: chat.Telegram, Method: "getMe", Err: refused}, "telegram getMe: connection refused"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q; want %q", got, tt.want)
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

func TestErrorTransportReason(t *testing.T) {
	t.Parallel()
	bad := errors.New("invalid character '<'")
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Code: 502}, "http_502"},
		{Error{Timeout: true, Err: context.DeadlineExceeded}, "timeout"},
		{Error{Canceled: true, Err: context.Canceled}, "canceled"},
		{Error{HTTPStatus: 503, Err: bad}, "http_503"},
		{Error{HTTPStatus: 200}, "api_error"},
		{Error{HTTPStatus: 200, Err: bad}, "bad_response"},
		{Error{Err: errors.New("EOF")}, "network"},
	} {
		if got := tt.e.TransportReason(); got != tt.want {
			t.Errorf("%+v: TransportReason = %q; want %q", tt.e, got, tt.want)
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
