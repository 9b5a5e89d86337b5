package telegramtest

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTextLength is the longest message text Telegram accepts, counted in UTF-16
// code units after entity parsing.
const MaxTextLength = 4096

// ParseError is a text that the parse mode rejects. Reason is what Telegram puts
// after "Bad Request: can't parse entities: ".
type ParseError struct {
	Reason string
}

func (e *ParseError) Error() string { return "can't parse entities: " + e.Reason }

// errUnsupportedParseMode is returned by ParseText for an unknown parse mode.
var errUnsupportedParseMode = errors.New("unsupported parse_mode")

// UTF16Len is the length of s in UTF-16 code units, the unit Telegram uses for
// text limits and entity offsets (an emoji outside the BMP counts 2).
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c&0xC0 != 0x80 { // first byte of a UTF-8 sequence
			n++
			if c >= 0xF0 {
				n++
			}
		}
	}
	return n
}

// ParseText parses text the way sendMessage does for parseMode ("" for none or
// "HTML", case-insensitive) and returns the plain text and its entities,
// trimmed of leading and trailing white space as Telegram trims it. loa sends
// HTML only, so the fake does not implement "MarkdownV2" and "Markdown": they
// are refused as unsupported, so that a sender switching to them fails its
// tests instead of going unchecked. strict additionally rejects a "&" that does not start one of the
// entities &lt; &gt; &amp; &quot; or a numeric one (with its ";") and a bare
// ">", which Telegram itself passes through literally; see Options.LenientHTML.
// Rejected markup gives a *ParseError.
func ParseText(text, parseMode string, strict bool) (string, []MessageEntity, error) {
	var (
		plain    string
		entities []MessageEntity
		err      error
	)
	switch strings.ToLower(parseMode) {
	case "":
		plain = text
	case "html":
		plain, entities, err = parseHTML(text, strict)
	default:
		return "", nil, errUnsupportedParseMode
	}
	if err != nil {
		return "", nil, err
	}
	plain, entities = trimText(plain, entities)
	return plain, entities, nil
}

// trimText drops leading and trailing white space and moves the entities with
// the text, as Telegram does before it counts the length.
func trimText(s string, entities []MessageEntity) (string, []MessageEntity) {
	trimmed := strings.TrimLeftFunc(s, unicode.IsSpace)
	shift := UTF16Len(s[:len(s)-len(trimmed)])
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	if shift == 0 && len(trimmed) == len(s) {
		return s, entities
	}
	total := UTF16Len(trimmed)
	out := entities[:0]
	for _, e := range entities {
		start, end := e.Offset-shift, e.Offset+e.Length-shift
		start, end = max(start, 0), min(end, total)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		out = append(out, e)
	}
	return trimmed, out
}

// at returns s[i], or 0 past the end: tdlib's parsers read a NUL-terminated
// string and rely on that sentinel.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// isSpace is tdlib's is_space, which counts NUL as space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == '\v'
}

func isASCIIAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool {
	return isASCIIDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// utf16Width is how many UTF-16 units the UTF-8 sequence starting with c adds.
func utf16Width(c byte) int {
	switch {
	case c&0xC0 == 0x80:
		return 0
	case c >= 0xF0:
		return 2
	default:
		return 1
	}
}

// checkedLink normalises a link the way Telegram does for the common cases: a
// missing scheme means http. It returns "" for a link Telegram would drop.
func checkedLink(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || strings.ContainsAny(u, " \n\t") {
		return ""
	}
	if !strings.Contains(u, ":") {
		return "http://" + u
	}
	return u
}

// appendRune appends r to b in UTF-8.
func appendRune(b []byte, r rune) []byte { return utf8.AppendRune(b, r) }
