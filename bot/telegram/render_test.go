package telegram

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode"

	"loa/broadcast"
	"loa/internal/adaptertest"
	"loa/internal/apitest"
	"loa/internal/telegramtest"
	"loa/store"
)

// goldenCases: a summary three times LongSummary is three messages long.
var goldenCases = adaptertest.GoldenCases(3)

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	adaptertest.RenderGolden(t, goldenCases, Render, ".html.txt", func(t testing.TB, p string) string {
		return fmt.Sprintf("%d UTF-16 units visible", telegramtest.UTF16Len(checkPart(t, p, MaxTextLength)))
	})
}

// checkPart parses a rendered part the way Telegram does (strictly) and returns its
// visible text, failing when it is invalid, empty or too long.
func checkPart(t testing.TB, part string, limit int) string {
	t.Helper()
	plain, _, err := telegramtest.ParseText(part, "HTML", true)
	if err != nil {
		t.Fatalf("part is not valid Telegram HTML: %v\n%s", err, part)
	}
	if plain == "" {
		t.Fatalf("empty part %q", part)
	}
	if n := telegramtest.UTF16Len(plain); n > limit {
		t.Fatalf("part has %d UTF-16 units of visible text, limit %d", n, limit)
	}
	return plain
}

func TestRenderArticle(t *testing.T) {
	t.Parallel()
	c := &Client{}
	parts := c.Render(goldenCases[0].Content)
	if len(parts) != 1 {
		t.Fatalf("got %d parts, want 1", len(parts))
	}
	plain, entities, err := telegramtest.ParseText(parts[0], "HTML", true)
	if err != nil {
		t.Fatal(err)
	}
	wantTitle := "Hà Nam & Ninh Bình <2025>"
	if !strings.HasPrefix(plain, wantTitle+"\n\n") {
		t.Errorf("visible text starts %q, want the title then a blank line", plain)
	}
	if !strings.HasSuffix(plain, "\n\nhttps://tinhuy.example.vn/tin-tuc/ha-nam-ninh-binh?id=2025&lang=vi") {
		t.Errorf("visible text should end with the link on its own line: %q", plain)
	}
	var bold, link bool
	for _, e := range entities {
		if e.Offset == 0 && e.Length == telegramtest.UTF16Len(wantTitle) {
			bold = bold || e.Type == "bold"
			link = link || e.Type == "text_link" && e.URL == goldenCases[0].Content.Link
		}
	}
	if !bold || !link {
		t.Errorf("title should be bold and linked to the article: %+v", entities)
	}
}

func TestRenderKinds(t *testing.T) {
	t.Parallel()
	adaptertest.RenderKinds(t, func(t testing.TB, content broadcast.Content) []string {
		var shown []string
		for _, p := range Render(content) {
			shown = append(shown, checkPart(t, p, MaxTextLength))
		}
		return shown
	})
}

// TestRenderSplitsFormatting: a bold, linked title longer than a message is closed at
// the end of one part and reopened in the next.
func TestRenderSplitsFormatting(t *testing.T) {
	t.Parallel()
	c := &Client{}
	title := strings.Repeat("Đảng bộ & nhân dân <tỉnh> ", 300) // ~7,800 units
	parts := c.Render(broadcast.Content{Kind: "article", Title: title, Summary: "Tóm tắt.", Link: "https://example.vn/x?a=1&b=2"})
	if len(parts) < 2 {
		t.Fatalf("got %d parts, want a split", len(parts))
	}
	for i, p := range parts[:len(parts)-1] {
		checkPart(t, p, MaxTextLength)
		if !strings.HasPrefix(p, `<b><a href="https://example.vn/x?a=1&amp;b=2">`) || !strings.HasSuffix(p, "</a></b>") {
			t.Errorf("part %d does not open and close the title's formatting: %.80q … %q", i+1, p, p[len(p)-20:])
		}
	}
}

func TestSplitTextBoundaries(t *testing.T) {
	t.Parallel()
	p := strings.Repeat("word ", 8) // 40 units
	text := p + "\n\n" + p + "\n" + p
	trim := strings.TrimSpace
	tests := []struct {
		Name  string
		s     string
		limit int
		want  []string
	}{
		{"fits", text, 200, []string{trim(text)}},
		{"paragraph", p + p + "\n\n" + p + "\n" + p, 130, []string{trim(p + p), trim(p + "\n" + p)}},
		{"line", p + "\n" + p, 60, []string{trim(p), trim(p)}},
		// A break in the first half of the window would leave a stub of a message.
		{"early paragraph", "ab\n\n" + p + p, 50, []string{"ab\n\n" + trim(strings.Repeat("word ", 9)), trim(strings.Repeat("word ", 7))}},
		{"vietnamese", "Hà Nội\n\nHải Phòng", 12, []string{"Hà Nội", "Hải Phòng"}},
		{"word", "một hai ba bốn năm", 8, []string{"một hai", "ba bốn", "năm"}},
		{"hard", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"surrogates", "😀😀😀", 3, []string{"😀", "😀", "😀"}},
		{"combining", "aaa\u0301bb", 3, []string{"aa", "a\u0301b", "b"}},
		{"only space", " \n\n ", 10, nil},
	}
	for _, tc := range tests {
		var got []string
		for _, rg := range splitText(tc.s, tc.limit) {
			got = append(got, tc.s[rg[0]:rg[1]])
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("%s: splitText = %q, want %q", tc.Name, got, tc.want)
		}
	}
}

// TestRenderThroughFake sends every golden rendering to the fake, which parses HTML
// as strictly as Telegram and rejects anything over the limit.
func TestRenderThroughFake(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(t, telegramtest.Unthrottled())
	srv.AddChat(telegramtest.Chat{ID: 1001, Type: telegramtest.Private, FirstName: "Hoa"})
	c, _ := newClient(t, srv, nil)
	ctx := apitest.Context(t)
	for _, tc := range goldenCases {
		for i, part := range c.Render(tc.Content) {
			if err := c.Send(ctx, chatOfID(privateID, 0), part); err != nil {
				t.Fatalf("%s part %d: %v", tc.Name, i+1, err)
			}
		}
	}
	msgs := srv.Messages(1001)
	if got := msgs[0].Text; !strings.HasPrefix(got, "Hà Nam & Ninh Bình <2025>\n\n") {
		t.Errorf("the title did not arrive intact: %q", got)
	}
	if msgs[0].ParseMode != "HTML" {
		t.Errorf("parse_mode %q, want HTML", msgs[0].ParseMode)
	}
}

func FuzzRender(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(string(tc.Content.Kind), tc.Content.Title, tc.Content.Summary, tc.Content.Link, uint16(4096))
	}
	f.Add("article", "<b>&amp;</b>", "a\n\nb\nc d", "https://x.vn/?q=\"'<>&", uint16(3))
	f.Add("anniversary", "", "😀👍🏽\u0301\u200d", "", uint16(2))
	f.Add("announcement", "x", strings.Repeat("dài ", 50), "http://a.b", uint16(17))
	f.Fuzz(func(t *testing.T, kind, title, summary, link string, limit uint16) {
		content := broadcast.Content{Kind: store.BroadcastKind(kind), Title: title, Summary: summary, Link: link}
		runs := render(content)
		whole := renderHTML(runs, math.MaxInt)
		if len(whole) > 1 {
			t.Fatalf("unsplit rendering has %d parts", len(whole))
		}
		want := ""
		if len(whole) == 1 {
			want = checkPart(t, whole[0], math.MaxInt)
		}
		for _, lim := range []int{MaxTextLength, max(2, int(limit))} {
			var got strings.Builder
			for _, p := range renderHTML(runs, lim) {
				got.WriteString(checkPart(t, p, lim))
			}
			if a, b := noSpace(got.String()), noSpace(want); a != b {
				t.Fatalf("limit %d: parts show %q, the whole shows %q", lim, a, b)
			}
		}
	})
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func TestRenderAnnouncementFormatting(t *testing.T) {
	t.Parallel()
	c := &Client{}
	parts := c.Render(broadcast.Content{Kind: "announcement",
		Summary: "Mời dự *hội nghị* _trực tuyến_, xem [giấy mời](https://portal.example.vn/gm?a=1&b=2) & 3 * 4 <ghi chú>"})
	if len(parts) != 1 {
		t.Fatalf("%d parts", len(parts))
	}
	want := `📢 <b>Thông báo</b>` + "\n\n" + `Mời dự <b>hội nghị</b> <i>trực tuyến</i>, xem <a href="https://portal.example.vn/gm?a=1&amp;b=2">giấy mời</a> &amp; 3 * 4 &lt;ghi chú&gt;`
	if parts[0] != want {
		t.Fatalf("rendered\n%s\nwant\n%s", parts[0], want)
	}
	if _, _, err := telegramtest.ParseText(parts[0], "HTML", true); err != nil {
		t.Fatalf("Telegram would refuse it: %v", err)
	}
	alert := c.Render(broadcast.Content{Kind: "alert", Summary: "Nguồn tin #1 đã bị tắt"})
	if len(alert) != 1 || !strings.HasPrefix(alert[0], "⚠️ <b>Cảnh báo hệ thống</b>") {
		t.Fatalf("alert = %q", alert)
	}
}
