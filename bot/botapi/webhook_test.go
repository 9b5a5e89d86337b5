package botapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loa/internal/testclock"
)

func TestDeriveSecret(t *testing.T) {
	t.Parallel()
	a := DeriveSecret("label v1", "1:token")
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("DeriveSecret = %q, want 64 hex digits", a)
	}
	if a != DeriveSecret("label v1", "1:token") {
		t.Error("DeriveSecret is not deterministic")
	}
	if a == DeriveSecret("label v2", "1:token") || a == DeriveSecret("label v1", "1:other") {
		t.Error("DeriveSecret ignores its label or its token")
	}
	if strings.Contains(a, "token") {
		t.Error("DeriveSecret shows the token")
	}
}

// failingReader fails the first read.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestWebhookGuardRead(t *testing.T) {
	t.Parallel()
	const header, secret = "X-Secret", "s3cret"
	tests := []struct {
		name     string
		method   string
		secret   string
		body     io.Reader
		wantOK   bool
		wantCode int
		wantLog  string
	}{
		{"valid", http.MethodPost, secret, strings.NewReader(`{"a":1}`), true, http.StatusOK, ""},
		{"no secret", http.MethodPost, "", strings.NewReader(`{}`), false, http.StatusUnauthorized, "without the right secret"},
		{"wrong secret", http.MethodPost, "s3cret!", strings.NewReader(`{}`), false, http.StatusUnauthorized, "without the right secret"},
		{"wrong secret before wrong method", http.MethodGet, "nope", nil, false, http.StatusUnauthorized, "without the right secret"},
		{"get", http.MethodGet, secret, nil, false, http.StatusMethodNotAllowed, ""},
		{"at the cap", http.MethodPost, secret, bytes.NewReader(make([]byte, MaxUpdateBytes)), true, http.StatusOK, ""},
		{"over the cap", http.MethodPost, secret, bytes.NewReader(make([]byte, MaxUpdateBytes+1)), false, http.StatusRequestEntityTooLarge, "too large"},
		{"unreadable", http.MethodPost, secret, failingReader{}, false, http.StatusBadRequest, "read webhook request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			r := httptest.NewRequest(tc.method, "/hook", tc.body)
			if tc.secret != "" {
				r.Header.Set(header, tc.secret)
			}
			w := httptest.NewRecorder()
			g := &WebhookGuard{Header: header, Secret: secret, Log: log}
			body, ok := g.Read(w, r)
			if ok != tc.wantOK || w.Code != tc.wantCode {
				t.Fatalf("ReadWebhook = %v with %d, want %v with %d", ok, w.Code, tc.wantOK, tc.wantCode)
			}
			if ok && body == nil {
				t.Error("no body for a valid request")
			}
			if tc.wantCode == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q, want POST", w.Header().Get("Allow"))
			}
			if !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("log %q, want it to say %q", logs.String(), tc.wantLog)
			}
		})
	}
}

// TestWebhookRefusalsLoggedOncePerMinute: a flood of wrong-secret requests logs one
// line a minute at most, each with the number of refusals it stands for; every one of
// them is still refused.
func TestWebhookRefusalsLoggedOncePerMinute(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c := testclock.New(time.Date(2024, 6, 5, 7, 0, 0, 0, time.UTC))
	g := &WebhookGuard{Header: "X-Secret", Secret: "s3cretS3cretS3cretS3cretS3cret99",
		Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: c.Now}
	refuse := func(n int) {
		t.Helper()
		for range n {
			r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{}`))
			r.Header.Set("X-Secret", "guess")
			w := httptest.NewRecorder()
			if _, ok := g.Read(w, r); ok || w.Code != http.StatusUnauthorized {
				t.Fatalf("wrong secret: ok %v, status %d", ok, w.Code)
			}
		}
	}
	lines := func() []string {
		return strings.FieldsFunc(logs.String(), func(r rune) bool { return r == '\n' })
	}
	refuse(1)
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "refused=1") {
		t.Fatalf("first refusal: %q, want one line with refused=1", l)
	}
	refuse(500)
	c.Advance(59 * time.Second)
	refuse(10)
	if l := lines(); len(l) != 1 {
		t.Fatalf("within the minute: %d lines, want still 1:\n%s", len(l), logs.String())
	}
	c.Advance(time.Second)
	refuse(1)
	l := lines()
	if len(l) != 2 || !strings.Contains(l[1], "refused=511") || strings.Contains(l[1], "guess") {
		t.Fatalf("after a minute: %q, want a second line counting the 511 refusals since the first", l)
	}
	// A right request is not a refusal and does not log.
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{}`))
	r.Header.Set("X-Secret", g.Secret)
	if _, ok := g.Read(httptest.NewRecorder(), r); !ok || len(lines()) != 2 {
		t.Fatalf("right secret: ok %v, log %s", ok, logs.String())
	}
}
