package zalo

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa/broadcast"
)

// MaxTextLength is the longest text Zalo accepts in one message: 2000 characters.
// Parts are measured in UTF-16 code units, which are never fewer than code points: the
// limit holds whether Zalo counts code points (as documented) or, as Java and
// JavaScript back ends do, UTF-16 units (an emoji outside the BMP is two). Vietnamese
// text is all in the BMP, so it makes no difference there.
const MaxTextLength = 2000

// Headings of the notices that are not articles, as on Telegram: an emoji marks the
// kind, then the title or, without one, the kind's name. Zalo shows plain text only:
// nothing is bold and nothing needs escaping.
const (
	anniversaryMark   = "🇻🇳"
	anniversaryLabel  = "Ngày kỷ niệm"
	announcementMark  = "📢"
	announcementLabel = "Thông báo"
	alertMark         = "⚠️"
	alertLabel        = "Cảnh báo hệ thống"
)

// render lays a broadcast out as plain text:
//
//	article:          announcement / anniversary:
//	Title             📢 Title  (or 📢 Thông báo)
//
//	Summary           Summary
//
//	https://link      https://link
//
// The link comes last on its own line, where Zalo makes it tappable.
func render(c broadcast.Content) string {
	title := strings.Join(strings.Fields(clean(c.Title)), " ")
	var head string
	switch c.Kind {
	case "anniversary", "announcement", "alert":
		mark, label := announcementMark, announcementLabel
		switch c.Kind {
		case "anniversary":
			mark, label = anniversaryMark, anniversaryLabel
		case "alert":
			mark, label = alertMark, alertLabel
		}
		if title == "" {
			title = label
		}
		head = mark + " " + title
	default: // "article", and any kind added later shows as one
		head = title
	}
	body := c.Summary
	if c.Kind == "announcement" {
		// Admins write announcements with simple formatting; Zalo shows plain text.
		body = broadcast.PlainMarkup(body)
	}
	var parts []string
	for _, p := range []string{head, cleanBody(body), checkLink(c.Link)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n\n")
}

// split cuts text into messages of at most limit UTF-16 units each (see splitText);
// nil when text has nothing to show.
func split(text string, limit int) []string {
	var out []string
	for _, rg := range splitText(text, limit) {
		out = append(out, text[rg[0]:rg[1]])
	}
	return out
}

// splitText cuts s into byte ranges whose text is at most limit UTF-16 units, at
// paragraph, then line, then word boundaries, else between characters (never before a
// combining mark or inside an emoji sequence joined by ZWJ). The ranges are trimmed of
// white space at both ends, as a chat shows a message, and never empty.
func splitText(s string, limit int) [][2]int {
	var out [][2]int
	start := 0
	for {
		start += len(s[start:]) - len(strings.TrimLeftFunc(s[start:], unicode.IsSpace))
		if start >= len(s) {
			return out
		}
		// end: the longest prefix from start that fits.
		end, n := start, 0
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			w := 1
			if r > 0xFFFF {
				w = 2
			}
			if n+w > limit {
				break
			}
			n += w
			end += size
		}
		if end == start { // a limit below one character: take it anyway
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
		}
		if end == len(s) {
			out = append(out, [2]int{start, trimEnd(s, start, end)})
			return out
		}
		cut := boundary(s, start, end)
		out = append(out, [2]int{start, trimEnd(s, start, cut)})
		start = cut
	}
}

// boundary picks where to cut s between start and end (end: the first byte that does
// not fit): at the last paragraph break, else line break, in the second half of the
// window (a title alone, cut off from its summary, would make a poor message), else at
// the last space.
func boundary(s string, start, end int) int {
	half := (end - start) / 2
	// A break right at end also counts: the text up to it fits.
	if i := strings.LastIndex(s[start:min(len(s), end+2)], "\n\n"); i > 0 && i >= half {
		return start + i
	}
	if i := strings.LastIndex(s[start:min(len(s), end+1)], "\n"); i > 0 && i >= half {
		return start + i
	}
	for i := end; i > start; {
		if r, _ := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
			return i
		}
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	// One word longer than a message: cut between characters, keeping combining marks
	// and emoji sequences with their base.
	cut := end
	for cut > start {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		prev, size := utf8.DecodeLastRuneInString(s[:cut])
		if !unicode.In(r, unicode.Mn, unicode.Me) && r != '\u200d' && prev != '\u200d' {
			break
		}
		cut -= size
	}
	if cut == start { // nothing but marks: cut anyway
		cut = end
	}
	return cut
}

func trimEnd(s string, start, end int) int {
	return start + len(strings.TrimRightFunc(s[start:end], unicode.IsSpace))
}

// clean makes s valid UTF-8 in composed form (NFC: a decomposed "ệ" is one character,
// not three, on screen and against the limit), with \n line ends and no control
// characters but \n (a tab becomes a space).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return '\n'
		case r == '\t':
			return ' '
		case unicode.IsControl(r), r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	return norm.NFC.String(s)
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// cleanBody cleans a summary: lines trimmed at the end, at most one blank line between
// paragraphs, no white space around the whole.
func cleanBody(s string) string {
	lines := strings.Split(clean(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

// checkLink returns the link when it is an absolute http(s) URL, else "".
func checkLink(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) || !utf8.ValidString(s) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}
