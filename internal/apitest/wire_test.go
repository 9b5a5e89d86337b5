package apitest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// ReadParams reads the query and then the body by its type; the platforms
// differ only in what an untyped or unknown body is.
func TestReadParams(t *testing.T) {
	t.Parallel()
	strict := Body{Max: 1 << 20, UntypedJSON: true}
	lenient := Body{Max: 1 << 20}
	for _, tc := range []struct {
		name, contentType, body string
		b                       Body
		want                    Params
		err                     error
	}{
		{name: "form", contentType: "application/x-www-form-urlencoded", body: "chat_id=7&text=Xin+ch%C3%A0o", b: lenient,
			want: Params{"q": {"1", true}, "chat_id": {"7", true}, "text": {"Xin chào", true}}},
		{name: "json", contentType: "application/json; charset=utf-8", body: `{"chat_id":7,"text":"x","on":true,"none":null}`, b: lenient,
			want: Params{"q": {"1", true}, "chat_id": {"7", false}, "text": {"x", true}, "on": {"true", false}, "none": {}}},
		{name: "empty json", contentType: "application/json", body: " ", b: strict, want: Params{"q": {"1", true}}},
		{name: "untyped is json", body: `{"text":"x"}`, b: strict, want: Params{"q": {"1", true}, "text": {"x", true}}},
		{name: "untyped is ignored", body: `{"text":"x"}`, b: lenient, want: Params{"q": {"1", true}}},
		{name: "unknown type refused", contentType: "text/plain", body: "x", b: strict, err: ErrContentType},
		{name: "unknown type ignored", contentType: "text/plain", body: "x", b: lenient, want: Params{"q": {"1", true}}},
		{name: "bad json", contentType: "application/json", body: `{"text":`, b: lenient, err: errors.New("any")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/botT/sendMessage?q=1", strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			got, err := tc.b.ReadParams(r)
			if tc.err != nil {
				if err == nil || errors.Is(tc.err, ErrContentType) && !errors.Is(err, ErrContentType) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %+v, want %+v", k, got[k], v)
				}
			}
		})
	}
}

func TestParams(t *testing.T) {
	t.Parallel()
	p := Params{"n": {"42", false}, "bad": {"4x", true}, "null": {"null", true}, "none": {}, "yes": {"TRUE", true}}
	if !p.Has("n") || p.Has("null") || p.Has("none") || p.Has("absent") {
		t.Error("Has")
	}
	if p.IsString("n") || !p.IsString("bad") {
		t.Error("IsString")
	}
	if n, ok := p.Int("n"); n != 42 || !ok {
		t.Errorf("Int(n) = %d, %v", n, ok)
	}
	if _, ok := p.Int("bad"); ok {
		t.Error("Int(bad) ok")
	}
	if n, ok := p.Int("absent"); n != 0 || !ok {
		t.Errorf("Int(absent) = %d, %v", n, ok)
	}
	if !p.Bool("yes") || p.Bool("n") {
		t.Error("Bool")
	}
}
