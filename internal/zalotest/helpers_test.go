package zalotest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"loa/internal/apitest"
	"loa/internal/testclock"
)

// newClock is a settable clock for Options.Now.
func newClock() *testclock.Clock { return testclock.New(time.Date(2025, 6, 5, 8, 0, 0, 0, time.UTC)) }

// apiResp is an answer as a plain client sees it.
type apiResp struct {
	Status int
	Raw    string
	Err    error // transport error (hangup)

	OK             bool            `json:"ok"`
	Result         json.RawMessage `json:"result"`
	ErrorCode      int             `json:"error_code"`
	ErrorCodeCamel int             `json:"errorCode"`
	Description    string          `json:"description"`
	Parameters     *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func do(t *testing.T, s *Server, req *http.Request) apiResp {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		return apiResp{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiResp{Err: err}
	}
	r := apiResp{Status: resp.StatusCode, Raw: string(body)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("answer is not JSON: %v: %s", err, body)
		}
	}
	return r
}

// callURL posts a JSON body (nil for none) to a full URL.
func callURL(t *testing.T, s *Server, u string, body any) apiResp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(apitest.Context(t), http.MethodPost, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(t, s, req)
}

// call posts a JSON body to a method, the documented way.
func call(t *testing.T, s *Server, method string, body any) apiResp {
	t.Helper()
	return callURL(t, s, s.MethodURL(method), body)
}

func callForm(t *testing.T, s *Server, method string, form url.Values) apiResp {
	t.Helper()
	req, err := http.NewRequestWithContext(apitest.Context(t), http.MethodPost, s.MethodURL(method), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, s, req)
}

func callGet(t *testing.T, s *Server, method string, q url.Values) apiResp {
	t.Helper()
	req, err := http.NewRequestWithContext(apitest.Context(t), http.MethodGet, s.MethodURL(method)+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, s, req)
}

// wantOK checks a successful answer and decodes its result into v (if not nil).
func wantOK(t *testing.T, r apiResp, v any) {
	t.Helper()
	if r.Err != nil || r.Status != http.StatusOK || !r.OK {
		t.Fatalf("answer = %d %s (err %v), want ok", r.Status, r.Raw, r.Err)
	}
	if v != nil {
		if err := json.Unmarshal(r.Result, v); err != nil {
			t.Fatalf("result %s: %v", r.Result, err)
		}
	}
}

// wantErr checks an error envelope with HTTP status = code.
// wantErr checks an error envelope as the platform sends it: HTTP 200, ok:false.
func wantErr(t *testing.T, r apiResp, code int, description string) {
	t.Helper()
	if r.Err != nil || r.Status != http.StatusOK || r.OK || r.ErrorCode != code || r.Description != description {
		t.Fatalf("answer = %d %s (err %v), want 200 with %d %q", r.Status, r.Raw, r.Err, code, description)
	}
}

func text(chat, s string) map[string]any { return map[string]any{"chat_id": chat, "text": s} }

// Chats and users used across tests; in a private chat the chat id is the
// user's id.
const (
	hoa  = "e4ea2cd5189df1c3a88c"
	minh = "6ede9afa66b88fe6d6a9"
	lan  = "2d758cb5e222177a4e35"
)

func ctxWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(apitest.Context(t))
}
