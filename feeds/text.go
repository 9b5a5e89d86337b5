package feeds

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// blockElements become a space in PlainText so that "<p>a</p><p>b</p>" reads
// "a b", not "ab". Inline elements (b, i, a, span, sup...) add nothing, so a
// word split by markup ("Vi<b>ệt</b>") stays one word.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Br: true, atom.Caption: true, atom.Dd: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true,
	atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Header: true, atom.Hr: true, atom.Img: true,
	atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Table: true, atom.Td: true,
	atom.Th: true, atom.Tr: true, atom.Ul: true,
}

// PlainText turns an HTML fragment (a feed title, description or content)
// into one line of plain text.
//
// Tags are dropped using the HTML tokenizer; the contents of script, style
// and the other raw-text elements (noscript, iframe, textarea, title...)
// are dropped with them. Entities are decoded exactly once, so a
// double-encoded "&amp;lt;" yields the literal text "&lt;". Block elements
// (p, br, div, li, h1-h6, td...) become spaces so words do not glue
// together. All whitespace, including NBSP and line breaks, collapses to
// single spaces; the result is trimmed, valid UTF-8 (invalid bytes become
// U+FFFD), NFC-normalised, and free of control characters and zero-width
// spaces.
func PlainText(s string) string {
	if s == "" {
		return ""
	}
	// Removing invisible characters before tokenizing matters: "<\x00p>"
	// must not come out as the text "<p>" that a second pass would treat as
	// a tag.
	s = dropInvisible(strings.ToValidUTF8(s, "\uFFFD"))
	if !strings.ContainsAny(s, "<&") {
		return cleanText(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skipText := false // the next text token is a raw-text element's content
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// Only io.EOF is possible: the reader is a strings.Reader and the
			// tokenizer has no buffer limit.
			return cleanText(b.String())
		case html.TextToken:
			if !skipText {
				text := z.Text()
				// "<<b>a" must not become "<a", which reads as a tag.
				if len(text) > 0 && isTagStartByte(text[0]) && strings.HasSuffix(b.String(), "<") {
					b.WriteByte(' ')
				}
				b.Write(text)
			}
			skipText = false
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			skipText = tt != html.EndTagToken && isRawTextElement(a)
			if blockElements[a] {
				b.WriteByte(' ')
			}
		default: // comments and doctypes carry no text
			skipText = false
		}
	}
}

// isTagStartByte reports whether c after "<" starts a tag, end tag,
// comment, doctype or processing instruction for the HTML tokenizer.
func isTagStartByte(c byte) bool {
	return c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isRawTextElement reports whether the tokenizer reads the element's content
// as one raw text token; none of it is readable text in a summary.
func isRawTextElement(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Noembed,
		atom.Noframes, atom.Plaintext, atom.Textarea, atom.Title, atom.Xmp:
		return true
	}
	return false
}

// isInvisible reports whether r is dropped from text outright: control
// characters that are not whitespace, zero-width spaces and byte order marks.
func isInvisible(r rune) bool {
	if r == '\u200b' || r == '\ufeff' || r == '\u2060' {
		return true
	}
	return unicode.IsControl(r) && !unicode.IsSpace(r)
}

// dropInvisible removes the runes isInvisible matches; s must be valid UTF-8.
func dropInvisible(s string) string {
	if strings.IndexFunc(s, isInvisible) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// cleanText normalises text that holds no markup: valid UTF-8, no control
// characters, whitespace collapsed to single spaces and trimmed, NFC.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case isInvisible(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	// Canonical composition never creates spaces or control characters, so
	// normalising last keeps the result clean; it also joins a base letter
	// and a combining mark that a removed character used to separate.
	return norm.NFC.String(b.String())
}

// Summarize shortens plain text s to at most max runes. Text that fits is
// returned unchanged. Otherwise it is cut at the last space such that at
// most max-1 runes remain (or hard at max-1 runes when there is no space),
// trailing spaces and punctuation are trimmed, and "…" is appended. The
// result without the "…" is always a prefix of s. max <= 0 yields "".
func Summarize(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	// Byte offsets rather than a []rune keep the prefix property even when
	// s holds invalid UTF-8 (each bad byte counts as one rune, as in
	// utf8.RuneCountInString).
	cut, boundary := 0, 0
	for n := 0; n < max-1; n++ {
		r, size := utf8.DecodeRuneInString(s[cut:])
		if unicode.IsSpace(r) && cut > 0 {
			boundary = cut
		}
		cut += size
	}
	if r, _ := utf8.DecodeRuneInString(s[cut:]); unicode.IsSpace(r) && cut > 0 {
		boundary = cut
	}
	end := cut
	if boundary > 0 {
		end = boundary
	}
	kept := strings.TrimRightFunc(s[:end], isTrailingJunk)
	if kept == "" {
		kept = s[:cut]
	}
	return kept + "…"
}

// isTrailingJunk matches what should not stand right before an ellipsis:
// spaces and punctuation other than closing brackets and quotes.
func isTrailingJunk(r rune) bool {
	if unicode.IsSpace(r) {
		return true
	}
	return unicode.IsPunct(r) && !unicode.In(r, unicode.Pe, unicode.Pf)
}

// ResolveURL resolves ref against base and returns the absolute URL when it
// is http or https with a host, else "". Tabs and line breaks inside ref are
// removed first, as browsers do.
func ResolveURL(base, ref string) string {
	ref = strings.TrimSpace(stripTabsAndNewlines(ref))
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		b, err := url.Parse(strings.TrimSpace(stripTabsAndNewlines(base)))
		if err != nil || !isHTTPURL(b) {
			return ""
		}
		u = b.ResolveReference(u)
	}
	if !isHTTPURL(u) {
		return ""
	}
	return u.String()
}

func isHTTPURL(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && u.Opaque == ""
}

func stripTabsAndNewlines(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}
