package telegramtest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestUTF16Len(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"Việt Nam", 8},
		{"😀", 2},                          // outside the BMP: a surrogate pair
		{"👍🏽", 4},                         // emoji + skin tone modifier
		{"a\u0300", 2},                    // a + combining grave: two code units
		{"Hà Nam & Ninh Bình <2025>", 25}, // precomposed (NFC)
		{"Ha\u0300 Nam & Ninh Bi\u0300nh <2025>", 27}, // decomposed (NFD)
		{"中文", 2},
	} {
		if got := UTF16Len(tc.in); got != tc.want {
			t.Errorf("UTF16Len(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestParseHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		in      string
		lenient bool
		plain   string          // expected text when accepted
		length  int             // expected UTF-16 length when non-zero
		ents    []MessageEntity // checked when non-nil
		reason  string          // expected rejection
	}{
		{name: "escaped vietnamese", in: "Hà Nam &amp; Ninh Bình &lt;2025&gt;", plain: "Hà Nam & Ninh Bình <2025>", length: 25},
		{name: "escaped vietnamese NFD", in: "Ha\u0300 Nam &amp; Ninh Bi\u0300nh &lt;2025&gt;", plain: "Ha\u0300 Nam & Ninh Bi\u0300nh <2025>", length: 27},
		{name: "unescaped vietnamese", in: "Hà Nam & Ninh Bình <2025>", reason: `Unescaped "&" at byte offset 8`},
		{name: "unescaped vietnamese lenient", in: "Hà Nam & Ninh Bình <2025>", lenient: true, reason: `Unsupported start tag "2025" at byte offset 21`},
		{name: "all simple tags", in: "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>",
			plain: "bsieunskd", ents: []MessageEntity{
				{Type: "bold", Offset: 0, Length: 1}, {Type: "bold", Offset: 1, Length: 1},
				{Type: "italic", Offset: 2, Length: 1}, {Type: "italic", Offset: 3, Length: 1},
				{Type: "underline", Offset: 4, Length: 1}, {Type: "underline", Offset: 5, Length: 1},
				{Type: "strikethrough", Offset: 6, Length: 1}, {Type: "strikethrough", Offset: 7, Length: 1},
				{Type: "strikethrough", Offset: 8, Length: 1}}},
		{name: "upper-case tags", in: "<B>x</B>", plain: "x", ents: []MessageEntity{{Type: "bold", Offset: 0, Length: 1}}},
		{name: "nested", in: "<b>a <i>b</i></b>", plain: "a b", ents: []MessageEntity{
			{Type: "bold", Offset: 0, Length: 3}, {Type: "italic", Offset: 2, Length: 1}}},
		{name: "link with escaped query", in: `<a href="https://loa.example/?a=1&amp;b=2">Đọc tiếp</a>`, plain: "Đọc tiếp",
			ents: []MessageEntity{{Type: "text_link", Offset: 0, Length: 8, URL: "https://loa.example/?a=1&b=2"}}},
		{name: "pre with language", in: `<pre><code class="language-go">x := 1</code></pre>`, plain: "x := 1",
			ents: []MessageEntity{{Type: "pre", Offset: 0, Length: 6, Language: "go"}}},
		{name: "blockquote expandable", in: "<blockquote expandable>q</blockquote><blockquote>r</blockquote>", plain: "qr",
			ents: []MessageEntity{{Type: "expandable_blockquote", Offset: 0, Length: 1}, {Type: "blockquote", Offset: 1, Length: 1}}},
		{name: "spoilers", in: `<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>`, plain: "ab",
			ents: []MessageEntity{{Type: "spoiler", Offset: 0, Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{name: "custom emoji", in: `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, plain: "👍", length: 2,
			ents: []MessageEntity{{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{name: "numeric entities", in: "&#128512; &#x1F600; &quot;", plain: "😀 😀 \"", length: 7},
		{name: "emoji offsets", in: "😀<b>x</b>", plain: "😀x", ents: []MessageEntity{{Type: "bold", Offset: 2, Length: 1}}},
		{name: "empty tags", in: "<b></b>", plain: ""},
		{name: "trimmed", in: "  <b> x </b>\n", plain: "x", ents: []MessageEntity{{Type: "bold", Offset: 0, Length: 1}}},

		{name: "div", in: "Xin chào <div>x</div>", reason: `Unsupported start tag "div" at byte offset 10`},
		{name: "br", in: "a<br>b", reason: `Unsupported start tag "br" at byte offset 1`},
		{name: "unclosed b", in: "<b>bold", reason: `Can't find end tag corresponding to start tag "b"`},
		{name: "crossed", in: "<b>x<i>y</b></i>", reason: `Unmatched end tag at byte offset 8, expected "</i>", found "</b>"`},
		{name: "stray end tag", in: "x</b>", reason: "Unexpected end tag at byte offset 1"},
		{name: "less than", in: "a <b", reason: "Unclosed start tag at byte offset 2"},
		{name: "comparison", in: "1 < 2", lenient: true, reason: `Unsupported start tag "" at byte offset 2`},
		{name: "unclosed end tag", in: "<i>a</i   ", reason: "Unclosed end tag at byte offset 4"},
		{name: "span without class", in: "<span>x</span>", reason: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{name: "empty attribute name", in: "<i =x>a</i>", reason: `Empty attribute name in the tag "i" at byte offset 0`},
		{name: "attribute without value", in: "<i foo>a</i>", reason: `Expected equal sign in declaration of an attribute of the tag "i" at byte offset 0`},
		{name: "unterminated attribute", in: `<a href="x`, reason: "Unclosed start tag at byte offset 0"},
		{name: "bad name token", in: "<i x=a,b>c</i>", reason: "Unexpected end of name token at byte offset 5"},
		{name: "surrogate", in: "&#xD800;", reason: "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"},
		{name: "bad emoji id", in: `<tg-emoji emoji-id="abc">x</tg-emoji>`, reason: "Invalid custom emoji identifier specified"},
		// tdlib's own test cases.
		{name: "tdlib unclosed", in: "🏟 🏟&lt;<abacaba", reason: "Unclosed start tag at byte offset 13"},
		{name: "tdlib unsupported", in: "🏟 🏟&lt;<abac aba>", reason: `Unsupported start tag "abac" at byte offset 13`},
		{name: "tdlib unmatched", in: "🏟 🏟&lt;<i>a</em   >", reason: `Unmatched end tag at byte offset 17, expected "</i>", found "</em>"`},
		{name: "tdlib unexpected end", in: "🏟 🏟&lt;<b></b></", reason: "Unexpected end tag at byte offset 20"},
		{name: "tdlib short end tag", in: "🏟 🏟&lt;<i>🏟 🏟&lt;</>", plain: "🏟 🏟<🏟 🏟<", ents: []MessageEntity{{Type: "italic", Offset: 6, Length: 6}}},

		// Telegram takes these literally; the fake rejects them unless lenient.
		{name: "bare gt", in: "5 > 3", reason: `Unescaped ">" at byte offset 2`},
		{name: "bare gt lenient", in: "5 > 3", lenient: true, plain: "5 > 3"},
		{name: "bare amp", in: "AT&T", reason: `Unescaped "&" at byte offset 2`},
		{name: "bare amp lenient", in: "AT&T", lenient: true, plain: "AT&T"},
		{name: "named entity", in: "&laquo;x&raquo;", reason: `Unescaped "&" at byte offset 0`},
		{name: "named entity lenient", in: "&laquo;x&raquo;", lenient: true, plain: "&laquo;x&raquo;"},
		{name: "no semicolon", in: "a &amp b", reason: `Unescaped "&" at byte offset 2`},
		{name: "bare amp in href", in: `<a href="https://x.example/?a=1&b=2">x</a>`, reason: `Unescaped "&" at byte offset 31`},
		{name: "bare amp in href lenient", in: `<a href="https://x.example/?a=1&b=2">x</a>`, lenient: true, plain: "x",
			ents: []MessageEntity{{Type: "text_link", Offset: 0, Length: 1, URL: "https://x.example/?a=1&b=2"}}},
		{name: "no semicolon lenient", in: "a &amp b", lenient: true, plain: "a & b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plain, ents, err := ParseText(tc.in, "HTML", !tc.lenient)
			if tc.reason != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Reason != tc.reason {
					t.Fatalf("ParseText(%q) = %q, %v; want error %q", tc.in, plain, err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseText(%q): %v", tc.in, err)
			}
			if plain != tc.plain {
				t.Errorf("text = %q, want %q", plain, tc.plain)
			}
			if tc.length != 0 && UTF16Len(plain) != tc.length {
				t.Errorf("length = %d, want %d", UTF16Len(plain), tc.length)
			}
			if tc.ents != nil && !reflect.DeepEqual(ents, tc.ents) {
				t.Errorf("entities = %+v, want %+v", ents, tc.ents)
			}
		})
	}
}

func TestParseTextModes(t *testing.T) {
	t.Parallel()
	if plain, _, err := ParseText("<b>as is</b>", "", true); err != nil || plain != "<b>as is</b>" {
		t.Errorf("no parse mode: %q, %v", plain, err)
	}
	if plain, _, err := ParseText("<b>x</b>", "html", true); err != nil || plain != "x" {
		t.Errorf("lower-case html: %q, %v", plain, err)
	}
	for _, mode := range []string{"BBCode", "MarkdownV2", "Markdown"} {
		if _, _, err := ParseText("x", mode, true); !errors.Is(err, errUnsupportedParseMode) {
			t.Errorf("%s: %v", mode, err)
		}
	}
}

// FuzzParseText checks that the parsers never panic, that entities stay inside
// the text, and that escaped text always round-trips.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"Hà Nam & Ninh Bình <2025>", "<b>x</b>", "<a href='u'>l</a>",
		"&#128512;&amp", "<blockquote expandable>q", "🏟 🏟&lt;<i>a</em   >"} {
		f.Add(s)
	}
	escape := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	f.Fuzz(func(t *testing.T, s string) {
		if plain, ents, err := ParseText(s, "HTML", true); err == nil {
			n := UTF16Len(plain)
			for _, e := range ents {
				if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > n {
					t.Fatalf("%q: entity %+v outside text of length %d", s, e, n)
				}
			}
		}
		plain, _, err := ParseText(escape.Replace(s), "HTML", true)
		if err != nil {
			t.Fatalf("escaped %q rejected: %v", s, err)
		}
		if want, _, _ := ParseText(s, "", true); plain != want {
			t.Fatalf("escaped %q parsed to %q, want %q", s, plain, want)
		}
	})
}
