package botapi

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// UTF16Units is how many UTF-16 code units r takes: 2 outside the Basic Multilingual
// Plane (most emoji), else 1. Telegram counts a message's length this way, and it is
// never less than a count of characters.
func UTF16Units(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// SplitText cuts s into byte ranges whose text is at most limit long, each character
// counted as width(r), at paragraph, then line, then word boundaries, else between
// characters (never before a combining mark or inside an emoji sequence joined by
// ZWJ). The ranges are trimmed of white space at both ends, as a chat shows a
// message, and never empty; there are none when s is all white space.
//
// It returns ranges rather than strings so that a caller can lay formatting (bold,
// links) over each part of the visible text.
func SplitText(s string, limit int, width func(r rune) int) [][2]int {
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
			w := width(r)
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
	// (Vietnamese tones in decomposed text, emoji modifiers) and emoji sequences with
	// their base.
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

// trimEnd returns where s[start:end] ends without its trailing white space.
func trimEnd(s string, start, end int) int {
	return start + len(strings.TrimRightFunc(s[start:end], unicode.IsSpace))
}
