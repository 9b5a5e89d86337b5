package feeds

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://tinhuy.example.vn/rss", "https://tinhuy.example.vn/rss"},
		{"https://tinhuy.example.vn/rss?cat=5&id=12&p=3", "https://tinhuy.example.vn/rss?cat=5&id=12&p=3"},
		{"https://admin:s3cr3t@tinhuy.example.vn/rss", "https://xxxxx@tinhuy.example.vn/rss"},
		{"https://tok3n@tinhuy.example.vn/rss", "https://xxxxx@tinhuy.example.vn/rss"},
		{"https://tinhuy.example.vn/rss?token=s3cr3t", "https://tinhuy.example.vn/rss?token=xxxxx"},
		{"https://tinhuy.example.vn/rss?cat=5&KEY=s3cr3t&id=12", "https://tinhuy.example.vn/rss?cat=5&KEY=xxxxx&id=12"},
		{"https://x.vn/f?apikey=a1&api_key=a2&access_token=a3&secret=a4&password=a5&sig=a6&signature=a7",
			"https://x.vn/f?apikey=xxxxx&api_key=xxxxx&access_token=xxxxx&secret=xxxxx&password=xxxxx&sig=xxxxx&signature=xxxxx"},
		{"https://x.vn/f?auth_token=a1&client_secret=a2&X-Amz-Signature=a3&private_token=a4",
			"https://x.vn/f?auth_token=xxxxx&client_secret=xxxxx&X-Amz-Signature=xxxxx&private_token=xxxxx"},
		{"https://x.vn/f?api%5Fkey=a1&sid=9&monkey=3", "https://x.vn/f?api%5Fkey=xxxxx&sid=9&monkey=3"},
		{"https://x.vn/f?token=&id=1#tok", "https://x.vn/f?token=&id=1#tok"},
		{"https://u:p@x.vn/f?token=a;b=1", "https://xxxxx@x.vn/f?token=xxxxx;b=1"},
		{"ftp://u:p@x.vn/f", "ftp://xxxxx@x.vn/f"},
		{"http://admin:s3cr3t@exa mple.vn:port/rss?token=abc", "http://xxxxx@exa mple.vn:port/rss?token=xxxxx"},
		{"not a url at all", "not a url at all"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	t.Parallel()
	in := `fetch https://admin:s3cr3t@x.vn/rss?token=abc123: HTTP 404; then "http://x.vn/b?key=zz9" (moved), ok https://x.vn/c?id=1.`
	want := `fetch https://xxxxx@x.vn/rss?token=xxxxx: HTTP 404; then "http://x.vn/b?key=xxxxx" (moved), ok https://x.vn/c?id=1.`
	if got := RedactText(in); got != want {
		t.Errorf("RedactText\n = %q\nwant %q", got, want)
	}
	if got := RedactText("Lỗi cuối: không có URL"); got != "Lỗi cuối: không có URL" {
		t.Errorf("text without URLs changed: %q", got)
	}
}

// FuzzRedactURL: whatever the URL, a password or a token-like parameter's value never
// survives redaction.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"https://tinhuy.example.vn/rss", "x.vn", "https://a:b@c/d?token=e&f=g#h", "http://[::1]:80/?KEY=1"} {
		f.Add(s, "s3cr3tValue")
	}
	f.Fuzz(func(t *testing.T, raw, secret string) {
		if len(secret) < 6 || strings.ContainsAny(secret, "&;#?/@:%=+ \t\r\n") || strings.Contains("xxxxx", secret) {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || strings.Contains(raw, secret) {
			return
		}
		u.User = url.UserPassword("user", secret)
		q := u.RawQuery
		if q != "" {
			q += "&"
		}
		u.RawQuery = q + "access_token=" + secret
		if got := RedactURL(u.String()); strings.Contains(got, secret) {
			t.Errorf("RedactURL(%q) = %q keeps the secret", u.String(), got)
		}
	})
}
