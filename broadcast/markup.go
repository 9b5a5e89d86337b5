package broadcast

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a stretch of an announcement's text with one formatting.
type Span struct {
	Text   string
	Bold   bool
	Italic bool
	// Link is an absolute http(s) URL the text points to, or "".
	Link string
}

// ParseMarkup reads the simple formatting admins write in announcements, the way chat
// apps do: *bold*, _italic_ and [text](https://link); a backslash takes the next
// character literally. A marker only counts when it opens before a non-space and closes
// after one, and an underscore only at a word's edge, so "3 * 4 = 12", snake_case and
// an unmatched "*" stay as written. Links other than http(s) stay as plain text. The
// spans' texts, joined, are the text as members read it.
func ParseMarkup(s string) []Span {
	var spans []Span
	var cur strings.Builder
	flush := func(bold, italic bool) {
		if cur.Len() > 0 {
			spans = append(spans, Span{Text: cur.String(), Bold: bold, Italic: italic})
			cur.Reset()
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' && i+size < len(s):
			next, n := utf8.DecodeRuneInString(s[i+size:])
			if strings.ContainsRune(`\*_[]()`, next) {
				cur.WriteRune(next)
				i += size + n
				continue
			}
		case r == '*' || r == '_':
			if end, ok := closing(s, i, byte(r)); ok {
				flush(false, false)
				inner := unescape(s[i+1 : end])
				spans = append(spans, Span{Text: inner, Bold: r == '*', Italic: r == '_'})
				i = end + 1
				continue
			}
		case r == '[':
			if text, link, n, ok := linkAt(s[i:]); ok {
				flush(false, false)
				spans = append(spans, Span{Text: text, Link: link})
				i += n
				continue
			}
		}
		cur.WriteRune(r)
		i += size
	}
	flush(false, false)
	return merge(spans)
}

// closing finds the marker that closes the one at s[i], on the same line.
func closing(s string, i int, marker byte) (int, bool) {
	if i+1 >= len(s) || isSpaceAt(s, i+1) {
		return 0, false
	}
	if marker == '_' && i > 0 && isWordBefore(s, i) {
		return 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\n':
			return 0, false
		case '\\':
			j++ // skip the escaped byte
		case marker:
			if j == i+1 || isSpaceBefore(s, j) {
				continue
			}
			if marker == '_' && j+1 < len(s) && isWordAt(s, j+1) {
				continue
			}
			return j, true
		}
	}
	return 0, false
}

// linkAt reads [text](url) at the start of s.
func linkAt(s string) (text, link string, n int, ok bool) {
	closeText := strings.Index(s, "](")
	if closeText <= 1 || strings.ContainsAny(s[1:closeText], "\n[]") {
		return "", "", 0, false
	}
	rest := s[closeText+2:]
	closeURL := strings.IndexByte(rest, ')')
	if closeURL <= 0 {
		return "", "", 0, false
	}
	raw := rest[:closeURL]
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(raw, " \n") {
		return "", "", 0, false
	}
	return unescape(s[1:closeText]), u.String(), closeText + 2 + closeURL + 1, true
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\*_[]()`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

func isSpaceBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r)
}

func isWordAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isWordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// merge joins neighbouring spans with the same formatting.
func merge(spans []Span) []Span {
	var out []Span
	for _, sp := range spans {
		if sp.Text == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Bold == sp.Bold && out[n-1].Italic == sp.Italic && out[n-1].Link == sp.Link {
			out[n-1].Text += sp.Text
			continue
		}
		out = append(out, sp)
	}
	return out
}

// PlainMarkup is the announcement as plain text, for channels without formatting:
// markers dropped, a link written as "text (url)".
func PlainMarkup(s string) string {
	var b strings.Builder
	for _, sp := range ParseMarkup(s) {
		b.WriteString(sp.Text)
		if sp.Link != "" && sp.Link != sp.Text {
			b.WriteString(" (" + sp.Link + ")")
		}
	}
	return b.String()
}
