package botapi

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	t.Parallel()
	p := strings.Repeat("word ", 8) // 40 units
	text := p + "\n\n" + p + "\n" + p
	trim := strings.TrimSpace
	runes := func(rune) int { return 1 }
	tests := []struct {
		name  string
		s     string
		limit int
		width func(rune) int
		want  []string
	}{
		{"fits", text, 200, UTF16Units, []string{trim(text)}},
		{"paragraph", p + p + "\n\n" + p + "\n" + p, 130, UTF16Units, []string{trim(p + p), trim(p + "\n" + p)}},
		{"line", p + "\n" + p, 60, UTF16Units, []string{trim(p), trim(p)}},
		// A break in the first half of the window would leave a stub of a message.
		{"early paragraph", "ab\n\n" + p + p, 50, UTF16Units, []string{"ab\n\n" + trim(strings.Repeat("word ", 9)), trim(strings.Repeat("word ", 7))}},
		{"break right at the limit", "abcd\n\nefgh", 4, UTF16Units, []string{"abcd", "efgh"}},
		{"vietnamese", "Hà Nội\n\nHải Phòng", 12, UTF16Units, []string{"Hà Nội", "Hải Phòng"}},
		{"word", "một hai ba bốn năm", 8, UTF16Units, []string{"một hai", "ba bốn", "năm"}},
		{"hard", "abcdefghij", 4, UTF16Units, []string{"abcd", "efgh", "ij"}},
		{"surrogates count two", "😀😀😀", 3, UTF16Units, []string{"😀", "😀", "😀"}},
		{"characters count one", "😀😀😀", 3, runes, []string{"😀😀😀"}},
		{"limit below a character", "😀😀", 1, UTF16Units, []string{"😀", "😀"}},
		{"combining", "aaa\u0301bb", 3, UTF16Units, []string{"aa", "a\u0301b", "b"}},
		{"zwj sequence", "ab👩\u200d💻", 5, UTF16Units, []string{"ab", "👩\u200d💻"}},
		{"only space", " \n\n ", 10, UTF16Units, nil},
		{"empty", "", 10, UTF16Units, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, rg := range SplitText(tc.s, tc.limit, tc.width) {
				got = append(got, tc.s[rg[0]:rg[1]])
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("SplitText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUTF16Units(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    rune
		want int
	}{{'a', 1}, {'ệ', 1}, {utf8.RuneError, 1}, {'\uFFFF', 1}, {'😀', 2}}
	for _, tc := range tests {
		if got := UTF16Units(tc.r); got != tc.want {
			t.Errorf("UTF16Units(%q) = %d, want %d", tc.r, got, tc.want)
		}
	}
}

// FuzzSplitText checks what every split promises: parts within the limit (or of one
// character), trimmed, not empty, in order, and nothing but white space left out.
func FuzzSplitText(f *testing.F) {
	f.Add("Hà Nội\n\nHải Phòng một hai ba", 7)
	f.Add("e\u0301e\u0301 😀👩\u200d💻", 2)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if !utf8.ValidString(s) || limit < 1 || limit > 1000 {
			t.Skip()
		}
		pos := 0
		for _, rg := range SplitText(s, limit, UTF16Units) {
			part := s[rg[0]:rg[1]]
			if rg[0] < pos || part == "" || strings.TrimSpace(part) != part {
				t.Fatalf("bad part %q at %v", part, rg)
			}
			if strings.TrimSpace(s[pos:rg[0]]) != "" {
				t.Fatalf("left out %q", s[pos:rg[0]])
			}
			n := 0
			for _, r := range part {
				n += UTF16Units(r)
			}
			if n > limit && utf8.RuneCountInString(part) > 1 { // one character always goes
				t.Fatalf("part %q is %d units, limit %d", part, n, limit)
			}
			pos = rg[1]
		}
		if strings.TrimSpace(s[pos:]) != "" {
			t.Fatalf("left out %q", s[pos:])
		}
	})
}
