package zalo

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"loa/broadcast"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/zalotest"
	"loa/store"
)

// wordsOnly is one paragraph of words, no line breaks, longer than a message.
func wordsOnly() string {
	return strings.TrimSpace(strings.Repeat("Đảng bộ và nhân dân tỉnh Hà Nam & Ninh Bình <2025> thi đua lập thành tích chào mừng Đại hội. ", 60))
}

// goldenCases add an article of words only, with no line to cut at.
var goldenCases = adaptertest.GoldenCases(1, adaptertest.GoldenCase{Name: "long_words", Content: broadcast.Content{
	Kind:    "article",
	Topic:   "news",
	Title:   "Thi đua chào mừng Đại hội",
	Summary: wordsOnly(),
	Link:    "https://tinhuy.example.vn/tin-tuc/thi-dua",
}})

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	adaptertest.RenderGolden(t, goldenCases, Render, ".txt", func(t testing.TB, p string) string {
		checkPart(t, p)
		return fmt.Sprintf("%d characters", utf8.RuneCountInString(p))
	})
}

// checkPart fails when a part is empty, too long, or not trimmed.
func checkPart(t testing.TB, p string) {
	t.Helper()
	if strings.TrimSpace(p) == "" {
		t.Fatalf("empty part %q", p)
	}
	if n := len(utf16.Encode([]rune(p))); n > MaxTextLength {
		t.Fatalf("part has %d UTF-16 units, limit %d", n, MaxTextLength)
	}
	if n := utf8.RuneCountInString(p); n > MaxTextLength {
		t.Fatalf("part has %d characters, limit %d", n, MaxTextLength)
	}
	if strings.TrimSpace(p) != p {
		t.Fatalf("part not trimmed: %q", p)
	}
}

// TestRenderPlain: no escaping, the text reads as written.
func TestRenderPlain(t *testing.T) {
	t.Parallel()
	c := &Client{}
	parts := c.Render(goldenCases[0].Content)
	if len(parts) != 1 {
		t.Fatalf("got %d parts, want 1", len(parts))
	}
	want := "Hà Nam & Ninh Bình <2025>\n\n" +
		"Hai tỉnh bàn việc \"hợp nhất\" & sắp xếp đơn vị hành chính; <script>alert(1)</script> không được chạy.\n\nĐoạn thứ hai.\n\n" +
		"https://tinhuy.example.vn/tin-tuc/ha-nam-ninh-binh?id=2025&lang=vi"
	if parts[0] != want {
		t.Errorf("Render = %q\nwant %q", parts[0], want)
	}
}

func TestRenderKinds(t *testing.T) {
	t.Parallel()
	adaptertest.RenderKinds(t, func(t testing.TB, content broadcast.Content) []string {
		parts := Render(content)
		for _, p := range parts {
			checkPart(t, p)
		}
		return parts
	},
		// Decomposed Vietnamese (NFD, as some editors save it) is composed: "Tỉnh ủy".
		adaptertest.KindCase{Content: broadcast.Content{Kind: "article", Title: "Ti\u0309nh u\u0309y"}, Want: "Tỉnh ủy"},
	)
}

// TestRenderSplitsOnWords: a long text is cut only where a word ends, and the parts
// add up to the whole.
func TestRenderSplitsOnWords(t *testing.T) {
	t.Parallel()
	c := &Client{}
	for _, tc := range goldenCases[3:] {
		full := render(tc.Content)
		parts := c.Render(tc.Content)
		if len(parts) < 2 {
			t.Fatalf("%s: %d parts, want a split", tc.Name, len(parts))
		}
		pos := 0
		for i, p := range parts {
			checkPart(t, p)
			at := strings.Index(full[pos:], p)
			if at < 0 || strings.TrimSpace(full[pos:pos+at]) != "" {
				t.Fatalf("%s: part %d is not the text that follows part %d", tc.Name, i+1, i)
			}
			pos += at + len(p)
			if pos < len(full) {
				if r, _ := utf8.DecodeRuneInString(full[pos:]); !unicode.IsSpace(r) {
					t.Errorf("%s: part %d ends inside a word: …%q", tc.Name, i+1, p[max(0, len(p)-20):])
				}
			}
		}
		if strings.TrimSpace(full[pos:]) != "" {
			t.Errorf("%s: the parts leave out %q", tc.Name, full[pos:])
		}
	}
}

func TestSplitTextBoundaries(t *testing.T) {
	t.Parallel()
	a := strings.TrimSpace(strings.Repeat("chữ ", 8)) // 31 characters
	text := a + "\n" + a + "\n\n" + a + "\n" + a      // paragraph break at 63, line breaks at 31, 97
	tests := []struct {
		Name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "ngắn gọn", 20, []string{"ngắn gọn"}},
		{"paragraph before line", text, 100, []string{a + "\n" + a, a + "\n" + a}},
		{"line", a + " " + a + "\n" + a, 70, []string{a + " " + a, a}},
		{"word", "một hai ba bốn", 8, []string{"một hai", "ba bốn"}},
		{"one long word", strings.Repeat("a", 25), 10, []string{strings.Repeat("a", 10), strings.Repeat("a", 10), strings.Repeat("a", 5)}},
		{"combining marks stay", "e\u0301e\u0301e\u0301", 3, []string{"e\u0301", "e\u0301", "e\u0301"}},
		{"emoji counts two", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"blank", " \n\n ", 10, nil},
	}
	for _, tc := range tests {
		if got := split(tc.text, tc.limit); strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("%s: split = %q, want %q", tc.Name, got, tc.want)
		}
	}
}

// TestRenderThroughFake: every part of every golden case is accepted by the fake,
// which enforces Zalo's 1–2000 characters.
func TestRenderThroughFake(t *testing.T) {
	t.Parallel()
	srv, c, _ := newHoaClient(t, zalotest.Unthrottled())
	ctx := apitest.Context(t)
	var want []string
	for _, tc := range goldenCases {
		for _, p := range c.Render(tc.Content) {
			if err := c.Send(ctx, hoaChat, p); err != nil {
				t.Fatalf("%s: %v", tc.Name, err)
			}
			want = append(want, p)
		}
	}
	got := srv.Messages(hoaID)
	if len(got) != len(want) {
		t.Fatalf("the fake recorded %d messages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Text != want[i] {
			t.Errorf("message %d: %q, want %q", i+1, got[i].Text, want[i])
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Hà Nam & Ninh Bình <2025>", adaptertest.LongSummary(), "https://example.vn/a?b=1&c=2")
	f.Add("", strings.Repeat("x", 4500), "")
	f.Add("😀", strings.Repeat("😀e\u0301 ", 900), "javascript:x")
	f.Fuzz(func(t *testing.T, title, summary, link string) {
		c := &Client{}
		for _, kind := range []string{"article", "announcement"} {
			for _, p := range c.Render(broadcast.Content{Kind: store.BroadcastKind(kind), Title: title, Summary: summary, Link: link}) {
				checkPart(t, p)
				if !utf8.ValidString(p) {
					t.Fatalf("invalid UTF-8 %q", p)
				}
			}
		}
	})
}

func TestRenderAnnouncementMarkupAsPlainText(t *testing.T) {
	t.Parallel()
	c := &Client{}
	parts := c.Render(broadcast.Content{Kind: "announcement", Summary: "Mời dự *hội nghị*, xem [giấy mời](https://portal.example.vn/gm) & 3 * 4"})
	want := "📢 Thông báo\n\nMời dự hội nghị, xem giấy mời (https://portal.example.vn/gm) & 3 * 4"
	if len(parts) != 1 || parts[0] != want {
		t.Fatalf("parts = %q, want %q", parts, want)
	}
	if alert := c.Render(broadcast.Content{Kind: "alert", Summary: "x"}); len(alert) != 1 || !strings.HasPrefix(alert[0], "⚠️ Cảnh báo hệ thống") {
		t.Fatalf("alert = %q", alert)
	}
}
