package broadcast

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func show(spans []Span) string {
	var parts []string
	for _, s := range spans {
		f := ""
		if s.Bold {
			f += "b"
		}
		if s.Italic {
			f += "i"
		}
		if s.Link != "" {
			f += "a=" + s.Link
		}
		parts = append(parts, fmt.Sprintf("%s%q", f, s.Text))
	}
	return strings.Join(parts, " ")
}

func TestParseMarkup(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"Họp chi bộ *định kỳ* lúc _8 giờ_", `"Họp chi bộ " b"định kỳ" " lúc " i"8 giờ"`},
		{"Xem [văn bản](https://portal.example.vn/vb/1?a=1&b=2) nhé", `"Xem " a=https://portal.example.vn/vb/1?a=1&b=2"văn bản" " nhé"`},
		{"3 * 4 = 12 và 5 * 6", `"3 * 4 = 12 và 5 * 6"`},
		{"file_name_here và *", `"file_name_here và *"`},
		{"**", `"**"`},
		{`\*không đậm\*`, `"*không đậm*"`},
		{"[liên kết](javascript:alert(1))", `"[liên kết](javascript:alert(1))"`},
		{"*dòng một\ndòng hai*", `"*dòng một\ndòng hai*"`},
		{"Hà Nam & Ninh Bình <2025>", `"Hà Nam & Ninh Bình <2025>"`},
		{"*a* *b*", `b"a" " " b"b"`},
	} {
		if got := show(ParseMarkup(tt.in)); got != tt.want {
			t.Errorf("ParseMarkup(%q) = %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestPlainMarkup(t *testing.T) {
	t.Parallel()
	got := PlainMarkup("Mời dự *hội nghị*, xem [giấy mời](https://portal.example.vn/gm)")
	if want := "Mời dự hội nghị, xem giấy mời (https://portal.example.vn/gm)"; got != want {
		t.Fatalf("PlainMarkup = %q, want %q", got, want)
	}
}

func FuzzParseMarkup(f *testing.F) {
	for _, s := range []string{"*a* _b_ [c](https://d.e/f)", `\*x\* **`, "_x_y_", "[a](", "*\n*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		var visible strings.Builder
		for _, sp := range ParseMarkup(s) {
			if sp.Text == "" {
				t.Fatalf("empty span in %q", s)
			}
			if sp.Link != "" && !strings.HasPrefix(sp.Link, "http") {
				t.Fatalf("link %q from %q", sp.Link, s)
			}
			visible.WriteString(sp.Text)
		}
		// Formatting only removes markup: the visible text is never longer.
		if visible.Len() > len(s) {
			t.Fatalf("visible text %q longer than %q", visible.String(), s)
		}
	})
}
