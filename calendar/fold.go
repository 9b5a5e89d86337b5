package calendar

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold writes Vietnamese text the way people type it without diacritics, so that what
// is typed with or without them compares equal: lowercase, diacritics dropped, "đ" as
// "d", leading and trailing punctuation and symbols trimmed, spaces collapsed.
// "  Đăng ký! " is "dang ky".
func Fold(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // the diacritics
		case r == 'đ':
			r = 'd'
		}
		sb.WriteRune(r)
	}
	trimmed := strings.TrimFunc(sb.String(), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	return strings.Join(strings.Fields(trimmed), " ")
}

// maxSlug is the longest slug (the calendar_events.slug check).
const maxSlug = 64

// Slug makes an event's slug from its title, folded: "thành lập Đảng bộ Khối" is
// "thanh-lap-dang-bo-khoi"; at most 64 characters, cut at a hyphen; "su-kien" when
// nothing is left.
func Slug(title string) string {
	var sb strings.Builder
	hyphen := false
	for _, r := range Fold(title) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			sb.WriteRune(r)
			hyphen = false
			continue
		}
		if !hyphen && sb.Len() > 0 {
			sb.WriteByte('-')
			hyphen = true
		}
	}
	s := strings.TrimSuffix(sb.String(), "-")
	for len(s) > maxSlug {
		i := strings.LastIndexByte(s[:maxSlug], '-')
		if i <= 0 {
			s = s[:maxSlug]
			break
		}
		s = s[:i]
	}
	if s == "" {
		s = "su-kien"
	}
	return s
}
