package feeds

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var plainTextSeeds = []string{
	"",
	"<p>Tin <b>nổi</b> bật</p>",
	"Hà Nam &amp; Ninh Bình &lt;2025&gt;",
	"&amp;lt;b&amp;gt;",
	"a<script>x</script>b<style>y</style>",
	"Vie\u0302\u0323t\u00a0Nam\r\n",
	"<<b>a",
	"a <",
	"<title><b>x</b></title>",
	"<plaintext><p>",
	"\xff\xfe<\x00p>",
}

// hasTagStart reports whether s contains "<" or "</" followed by a letter,
// which an HTML tokenizer would read as a tag. ("</" at the very end is
// text.)
func hasTagStart(s string) bool {
	isLetter := func(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		if isLetter(s[i+1]) || (s[i+1] == '/' && i+2 < len(s) && isLetter(s[i+2])) {
			return true
		}
	}
	return false
}

func FuzzPlainText(f *testing.F) {
	for _, s := range plainTextSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := PlainText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("not NFC: %q", out)
		}
		if strings.Contains(out, "  ") || strings.TrimSpace(out) != out {
			t.Fatalf("untidy spaces: %q", out)
		}
		for _, r := range out {
			if (unicode.IsSpace(r) && r != ' ') || unicode.IsControl(r) {
				t.Fatalf("control or non-space whitespace %U in %q", r, out)
			}
		}
		// Entities may legitimately decode to "<b>" text; without them every
		// "<" that reaches the output must be plain text, and a second pass
		// must change nothing.
		if !strings.Contains(in, "&") {
			if hasTagStart(out) {
				t.Fatalf("tag residue in %q (from %q)", out, in)
			}
			if again := PlainText(out); again != out {
				t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
			}
		}
	})
}

func FuzzSummarize(f *testing.F) {
	f.Add("một hai ba bốn năm", 10)
	f.Add("Thànhphốbiểnxanh", 6)
	f.Add("!!!!!!!!", 3)
	f.Add("a\xffb c", 2)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 1000 // keep runs fast; negative values stay negative
		out := Summarize(s, max)
		n := utf8.RuneCountInString(out)
		switch {
		case max <= 0:
			if out != "" {
				t.Fatalf("Summarize(%q, %d) = %q, want empty", s, max, out)
			}
		case utf8.RuneCountInString(s) <= max:
			if out != s {
				t.Fatalf("Summarize(%q, %d) = %q, want it unchanged", s, max, out)
			}
		default:
			if n > max {
				t.Fatalf("Summarize(%q, %d) = %q has %d runes", s, max, out, n)
			}
			if !strings.HasSuffix(out, "…") || !strings.HasPrefix(s, strings.TrimSuffix(out, "…")) {
				t.Fatalf("Summarize(%q, %d) = %q is not a prefix plus …", s, max, out)
			}
		}
	})
}

func FuzzResolveURL(f *testing.F) {
	f.Add("https://a.vn/rss/feed.xml", "../bai.html")
	f.Add("", "//x")
	f.Add("https://a.vn/", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, base, ref string) {
		out := ResolveURL(base, ref)
		if out == "" {
			return
		}
		u, err := url.Parse(out)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			t.Fatalf("ResolveURL(%q, %q) = %q is not an absolute http(s) URL (%v)", base, ref, out, err)
		}
	})
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<rss><channel><item><title>a</title><guid>g</guid></item><item><guid>g</guid></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","content_text":"x"}]}`))
	now := time.Date(2024, 7, 10, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := Parse(body, "https://example.vn/rss", now)
		if err != nil {
			if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is neither ErrNotFeed nor ErrMalformed", err)
			}
			return
		}
		assertCleanFeed(t, feed)
		keys := map[string]bool{}
		for _, it := range feed.Items {
			if keys[it.Key] {
				t.Fatalf("duplicate key %s", it.Key)
			}
			keys[it.Key] = true
			if utf8.RuneCountInString(it.Title) > TitleMaxRunes {
				t.Fatalf("title too long: %q", it.Title)
			}
			if it.Link != "" && !strings.HasPrefix(it.Link, "http") {
				t.Fatalf("link %q", it.Link)
			}
		}
	})
}
