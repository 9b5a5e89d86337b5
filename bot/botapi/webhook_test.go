package botapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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

func TestReadWebhook(t *testing.T) {
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
			body, ok := ReadWebhook(w, r, header, secret, log)
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
