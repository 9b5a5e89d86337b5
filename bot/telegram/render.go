package telegram

import (
	"strings"

	"loa/bot"
	"loa/bot/botapi"
	"loa/broadcast"
	"loa/store"
)

// MaxTextLength is the longest text Telegram accepts in one message, counted in UTF-16
// code units of the visible text (after HTML entities and tags are parsed).
const MaxTextLength = 4096

// run is a stretch of visible text with one formatting: plain, or bold and possibly
// linked.
type run struct {
	text   string
	bold   bool
	italic bool
	href   string
}

// render lays a broadcast out as runs of visible text.
//
//	article:                    announcement / anniversary:
//	<b><a href=L>Title</a></b>  📢 <b><a href=L>Title</a></b>  (or 📢 <b>Thông báo</b>)
//
//	Summary                     Summary
//
//	L                           L
//
// The link comes last on its own line, so the reader sees where it leads; Telegram
// previews the first link of the message, which is the same article.
func render(c broadcast.Content) []run {
	title := strings.Join(strings.Fields(botapi.CleanText(c.Title)), " ")
	body := botapi.TidyBody(botapi.CleanText(c.Summary))
	link := botapi.CheckLink(c.Link)

	// Notices that are not articles are headed by the kind's mark (bot.Heading), then
	// the title in bold or, without one, the kind's name; an article (and any kind
	// added later) by its title alone.
	var runs []run
	mark, label := bot.Heading(c.Kind)
	if mark != "" {
		runs = append(runs, run{text: mark + " "})
	}
	switch {
	case title != "":
		runs = append(runs, run{text: title, bold: true, href: link})
	case mark != "":
		runs = append(runs, run{text: label, bold: true})
	}
	for i, tail := range []string{body, link} {
		if tail == "" {
			continue
		}
		if len(runs) > 0 {
			runs = append(runs, run{text: "\n\n"})
		}
		if i == 0 && c.Kind == store.KindAnnouncement {
			// Admins write announcements with simple formatting (*bold*, _italic_,
			// [text](link)); everything else is plain text.
			for _, sp := range broadcast.ParseMarkup(tail) {
				runs = append(runs, run{text: sp.Text, bold: sp.Bold, italic: sp.Italic, href: sp.Link})
			}
			continue
		}
		runs = append(runs, run{text: tail})
	}
	return runs
}

// renderHTML renders runs as Telegram HTML messages, each with at most limit UTF-16
// units of visible text.
//
// Splitting works on the visible text, never on the markup: the text is cut at the
// last paragraph break that fits, else the last line break, else the last space, else
// (one unbroken word longer than a message) at a character boundary. Each part is then
// rendered on its own from the runs it overlaps, so a bold or linked run cut in two is
// closed at the end of one part and reopened at the start of the next: every part is
// valid HTML, no tag or entity is ever cut, and escaping happens after the cut.
func renderHTML(runs []run, limit int) []string {
	var sb strings.Builder
	for _, r := range runs {
		sb.WriteString(r.text)
	}
	full := sb.String()
	var parts []string
	for _, rg := range splitText(full, limit) {
		sb.Reset()
		pos := 0
		for _, r := range runs {
			rs, re := pos, pos+len(r.text)
			pos = re
			a, b := max(rs, rg[0]), min(re, rg[1])
			if a >= b {
				continue
			}
			piece := escapeText(full[a:b])
			if r.href != "" {
				piece = `<a href="` + escapeAttr(r.href) + `">` + piece + `</a>`
			}
			if r.italic {
				piece = "<i>" + piece + "</i>"
			}
			if r.bold {
				piece = "<b>" + piece + "</b>"
			}
			sb.WriteString(piece)
		}
		parts = append(parts, sb.String())
	}
	return parts
}

// splitText cuts s into byte ranges whose trimmed text is at most limit UTF-16 units,
// as Telegram counts a message's length (see botapi.SplitText).
func splitText(s string, limit int) [][2]int {
	return botapi.SplitText(s, limit, botapi.UTF16Units)
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

// escapeText escapes text for Telegram HTML: only <, > and & are special there.
func escapeText(s string) string { return textEscaper.Replace(s) }

// escapeAttr escapes a double-quoted attribute value.
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
