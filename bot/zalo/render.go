package zalo

import (
	"cmp"
	"strings"

	"golang.org/x/text/unicode/norm"

	"loa/bot"
	"loa/bot/botapi"
	"loa/broadcast"
	"loa/store"
)

// MaxTextLength is the longest text Zalo accepts in one message: 2000 characters.
// Parts are measured in UTF-16 code units, which are never fewer than code points: the
// limit holds whether Zalo counts code points (as documented) or, as Java and
// JavaScript back ends do, UTF-16 units (an emoji outside the BMP is two). Vietnamese
// text is all in the BMP, so it makes no difference there.
const MaxTextLength = 2000

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
	// Headed as on Telegram (bot.Heading): the kind's mark, then the title or, without
	// one, the kind's name; an article by its title alone. Zalo shows plain text only:
	// nothing is bold and nothing needs escaping.
	head := title
	if mark, label := bot.Heading(c.Kind); mark != "" {
		head = mark + " " + cmp.Or(title, label)
	}
	body := c.Summary
	if c.Kind == store.KindAnnouncement {
		// Admins write announcements with simple formatting; Zalo shows plain text.
		body = broadcast.PlainMarkup(body)
	}
	var parts []string
	for _, p := range []string{head, botapi.TidyBody(clean(body)), botapi.CheckLink(c.Link)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n\n")
}

// split cuts text into messages of at most limit UTF-16 units each (see
// botapi.SplitText); nil when text has nothing to show.
func split(text string, limit int) []string {
	var out []string
	for _, rg := range botapi.SplitText(text, limit, botapi.UTF16Units) {
		out = append(out, text[rg[0]:rg[1]])
	}
	return out
}

// clean makes s valid UTF-8 in composed form (NFC: a decomposed "ệ" is one character,
// not three, on screen and against the limit), with \n line ends and no control
// characters but \n (a tab becomes a space).
func clean(s string) string { return norm.NFC.String(botapi.CleanText(s)) }
