package bot

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"loa/calendar"
	"loa/chat"
)

// Capabilities say what a messenger's chats can do. Each adapter declares its own
// (telegram.Client.Capabilities, zalo.Client.Capabilities), the service gives them to
// the channel's Bot, and the bot shapes its answers by them alone, never by the
// messenger's name. The zero value is the plainest messenger: typed words, no buttons,
// no menu, and it is served correctly.
type Capabilities struct {
	// Buttons: a message can carry inline buttons whose presses come back as callbacks.
	// Without them topics are chosen from a numbered list ("tắt 2") and a draft is
	// confirmed by typing its number (/xacnhan 12).
	Buttons bool
	// CommandMenu: members pick the bot's slash commands from a menu (Telegram's
	// setMyCommands, fed by Commands), so texts name commands as /start and only slash
	// commands are read. Without it members type words ("đăng ký", with or without
	// diacritics: see the table), texts name those words, and slash commands work too.
	CommandMenu bool
	// MentionFirst: in groups the bot sees only messages that mention it, so a group
	// message starts with the bot's name (which may have several words), stripped before
	// the rest is read (withoutMention).
	MentionFirst bool
}

// access says who may run a command.
type access int

const (
	// anyone, anywhere.
	anyone access = iota
	// chatAdmins: anyone in a private chat; in a group or a channel, loa admins only,
	// since the command changes what the whole chat receives.
	chatAdmins
	// admins: loa admins only. Anyone else is refused and the attempt logged (user and
	// chat, never the text).
	admins
)

// argKind says how typed words take what follows them.
type argKind int

const (
	// argNone: the words are the whole message ("đăng ký").
	argNone argKind = iota
	// argNumber: a word, then optionally "chủ đề" or "số", then a number ("bật 2",
	// "bật số 2", "bat2").
	argNumber
	// argCode: the words, then at most one word, kept as written ("mời K7QX-42MD"). A
	// longer text is not the command: "mời các đồng chí dự họp" is no invite code.
	argCode
)

// command is one entry of the command table: one thing a member or an admin may ask
// for, however their messenger lets them ask.
type command struct {
	// name is the slash command without the slash ("start"), and the command's name in
	// logs and in refusals.
	name string
	// words are what members type instead where there is no command menu, matched after
	// folding (calendar.Fold), spaces ignored, so "Đăng ký!", "dang ky" and "ĐĂNG KÍ"
	// are all "đăng ký". The first is the one texts show.
	words []string
	// wordsOnly: there is no slash form (the typed topic switches).
	wordsOnly bool
	// arg is how the words take what follows them; a slash command always takes the
	// rest of its message.
	arg argKind
	// usage shows the arguments in the admins' help: "<nội dung>".
	usage string
	// description for menus and help (setMyCommands: 1–256 characters).
	description string
	who         access
	// private: in a private chat only (a group is told to ask in private).
	private bool
	// menu is the command's place in the members' menu (Commands and help); 0: not in
	// it.
	menu int
	// forum: shown in the members' help in forum groups only (/here).
	forum bool
	// noButtons: shown only where there are no buttons, for which it stands (the topic
	// switches, /xacnhan and /huy); it works everywhere.
	noButtons bool
	// available reports whether the command is offered at all (a hook that is set);
	// nil: always. An unavailable command is unknown.
	available func(b *Bot) bool
	// refused answers someone the command's access refuses, in a chat of that kind,
	// the command named as the chat asks for it; nil: the usual refusal for who
	// (adminRefusedText, adminOnlyText).
	refused func(caps Capabilities, kind chat.Kind, command string) string
	// run answers the command once access is granted.
	run func(b *Bot, ctx context.Context, u Update, r request) Response
}

// commands is the command table: what the bot answers, for every messenger. The
// members' menu follows menu; everything else, the table's order (which is the order
// in which the group restriction names the commands). It is filled by init because
// the help handler reads it.
var commands []*command

func init() {
	commands = []*command{
		{name: "start", words: []string{"đăng ký", "đăng kí"}, description: "Đăng ký nhận tin",
			who: chatAdmins, menu: 1, refused: startNotAdminText, run: (*Bot).start},
		{name: "stop", words: []string{"hủy", "huỷ", "hủy đăng ký", "huỷ đăng kí"}, description: "Ngừng nhận tin",
			who: chatAdmins, menu: 6, run: (*Bot).stop},
		{name: "topics", words: []string{"chủ đề"}, description: "Chọn chủ đề muốn nhận",
			who: chatAdmins, menu: 2, run: (*Bot).topics},
		{name: "here", description: "Nhận tin vào chủ đề (topic) đang gửi lệnh",
			who: chatAdmins, forum: true, run: (*Bot).here},
		{name: "on", words: []string{"bật"}, wordsOnly: true, arg: argNumber, description: "Bật một chủ đề",
			who: chatAdmins, noButtons: true, refused: topicsAdminOnly, run: (*Bot).topicOn},
		{name: "off", words: []string{"tắt"}, wordsOnly: true, arg: argNumber, description: "Tắt một chủ đề",
			who: chatAdmins, noButtons: true, refused: topicsAdminOnly, run: (*Bot).topicOff},
		{name: "latest", who: anyone, description: "Xem 5 tin bài mới nhất", menu: 3, run: (*Bot).latest},
		{name: "today", who: anyone, description: "Ngày kỷ niệm hôm nay", menu: 4, run: (*Bot).today},
		{name: "upcoming", who: anyone, description: "Các ngày kỷ niệm trong 30 ngày tới", menu: 5, run: (*Bot).upcoming},
		{name: "help", words: []string{"trợ giúp"}, description: "Hướng dẫn sử dụng", who: anyone, menu: 7, run: (*Bot).help},

		{name: "announce", usage: "<nội dung>", who: admins,
			description: "Soạn thông báo, xem trước rồi gửi ngay, hẹn giờ hoặc huỷ", run: (*Bot).announce},
		{name: "schedule", usage: "<ngày/tháng/năm> <giờ:phút> [nội dung]", who: admins,
			description: "Hẹn giờ gửi (không ghi nội dung: hẹn giờ cho bản nháp mới nhất)", run: (*Bot).schedule},
		{name: "xacnhan", usage: "<số>", who: admins, noButtons: true,
			description: "Xác nhận gửi bản nháp", run: (*Bot).confirmTyped},
		{name: "huy", usage: "<số>", who: admins, noButtons: true, refused: adminRefusedStopText,
			description: "Bỏ bản nháp", run: (*Bot).discardTyped},
		{name: "scheduled", who: admins, description: "Các thông báo đã lên lịch", run: (*Bot).scheduled},
		{name: "cancel", usage: "<số>", who: admins, refused: adminRefusedStopText,
			description: "Huỷ một thông báo đã lên lịch", run: (*Bot).cancel},
		{name: "stats", who: admins, description: "Thống kê người nhận và lượt gửi trong tuần", run: (*Bot).stats},
		{name: "broadcast", usage: "[số]", who: admins, description: "Tiến độ gửi của một bản tin", run: (*Bot).broadcast},
		{name: "web", words: []string{"web"}, who: admins, private: true,
			description: "Nhận liên kết đăng nhập trang quản trị trên trình duyệt", run: (*Bot).web},

		// A new admin's: the code an admin created in the web console.
		{name: "moi", words: []string{"mời", "mã mời"}, arg: argCode, usage: "<mã mời>", who: anyone, private: true,
			refused: inviteInGroupText, available: func(b *Bot) bool { return b.RedeemInvite != nil },
			description: "Nhận quyền quản trị viên bằng mã mời", run: (*Bot).redeem},
	}
}

// Command is a bot command and its description, for the messenger's command menu.
type Command struct {
	Name        string // without the slash
	Description string
}

// Commands returns the members' commands, in menu order, for setMyCommands (command
// 1–32 characters [a-z0-9_], description 1–256 characters). Admins' commands are not
// in it: the menu is everyone's; an admin finds them in /help.
func Commands() []Command {
	var out []Command
	for _, c := range menu() {
		out = append(out, Command{Name: c.name, Description: c.description})
	}
	return out
}

// menu returns the members' commands in menu order.
func menu() []*command {
	var out []*command
	for _, c := range commands {
		if c.menu > 0 {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *command) int { return cmp.Compare(a.menu, b.menu) })
	return out
}

// lookup returns the command of that name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// typed reports whether c is asked for by its words here: the messenger has no
// command menu and c has words.
func (c *command) typed(caps Capabilities) bool { return !caps.CommandMenu && len(c.words) > 0 }

// label names the command as a menu shows it: "/start", or "đăng ký" where members
// type words.
func (c *command) label(caps Capabilities) string {
	if c.typed(caps) {
		return c.words[0]
	}
	return "/" + c.name
}

// quoted names the command in a sentence: "/start", or "“đăng ký”".
func (c *command) quoted(caps Capabilities) string {
	if c.typed(caps) {
		return "“" + c.words[0] + "”"
	}
	return "/" + c.name
}

// say names the command called name in a sentence (see quoted).
func say(caps Capabilities, name string) string { return lookup(name).quoted(caps) }

// shown reports whether the members' help lists c, or names it in the group
// restriction (the topic switches), in a chat of the bot's messenger.
func (c *command) shown(b *Bot, forum bool) bool {
	caps := b.Capabilities
	switch {
	case !b.offers(c), c.who == admins, c.wordsOnly && caps.CommandMenu:
		return false
	case c.noButtons:
		return !caps.Buttons
	case c.forum:
		return forum
	}
	return c.menu > 0
}

// offers reports whether the bot offers c (its hook is set).
func (b *Bot) offers(c *command) bool { return c.available == nil || c.available(b) }

// request is what a message asks for.
type request struct {
	// cmd is the command; nil for a slash command the bot does not know.
	cmd *command
	// target is the bot a slash command is addressed to ("/start@loa_bot"), or "".
	target string
	// slash: written as a slash command.
	slash bool
	// args is what follows the command, trimmed, line breaks inside kept.
	args string
	// n is the number of an argNumber command: 0 when none was given, above
	// maxTopicNumber for an absurdly long one.
	n int
}

// maxTopicNumber bounds the N of "bật N": longer numbers are simply out of range.
const maxTopicNumber = 9999

// parse reads what a message asks for; ok is false when it asks for nothing the bot
// knows (plain text). A slash command is always a request, known or not.
func (b *Bot) parse(text string) (r request, ok bool) {
	if name, target, isCmd := parseCommand(text); isCmd {
		r = request{target: target, slash: true, args: commandArgs(text)}
		if c := lookup(name); c != nil && !c.wordsOnly && b.offers(c) {
			r.cmd = c
		}
		return r, true
	}
	if b.Capabilities.CommandMenu {
		return request{}, false
	}
	return b.parseWords(text)
}

// parseWords reads the typed words of a messenger without a command menu.
func (b *Bot) parseWords(text string) (request, bool) {
	key := squash(calendar.Fold(text))
	for _, c := range commands {
		if !b.offers(c) {
			continue
		}
		for _, w := range c.words {
			w = squash(calendar.Fold(w))
			switch c.arg {
			case argNone:
				if key == w {
					return request{cmd: c}, true
				}
			case argNumber:
				if n, ok := numberAfter(key, w); ok {
					return request{cmd: c, n: n}, true
				}
			case argCode:
				if code, ok := codeAfter(text, w); ok {
					return request{cmd: c, args: code}, true
				}
			}
		}
	}
	return request{}, false
}

// codeAfter reads "<words> CODE" from a message: its leading fields, folded, are the
// folded word without spaces, and at most one field follows, returned as written.
func codeAfter(text, word string) (code string, ok bool) {
	fields := strings.Fields(text)
	for n := 1; n <= len(fields) && n <= 3; n++ {
		if squash(calendar.Fold(strings.Join(fields[:n], " "))) != word {
			continue
		}
		switch rest := fields[n:]; len(rest) {
		case 0:
			return "", true
		case 1:
			return rest[0], true
		}
		return "", false
	}
	return "", false
}

// numberAfter reads "<word> N" from a folded message without spaces: word, then
// optionally "chude" and "so", then digits. n is 0 when no number follows ("bật"
// alone, "bật 0") and above maxTopicNumber for an absurdly long one; ok is false for
// anything else, e.g. "bắt đầu" or "tất cả".
func numberAfter(key, word string) (n int, ok bool) {
	rest, found := strings.CutPrefix(key, word)
	if !found {
		return 0, false
	}
	rest = strings.TrimPrefix(rest, "chude")
	rest = strings.TrimPrefix(rest, "so")
	if !allDigits(rest) {
		return 0, false
	}
	rest = strings.TrimLeft(rest, "0")
	if rest == "" {
		return 0, true // "bật 0": no such topic, explained like a missing number
	}
	if len(rest) > len(strconv.Itoa(maxTopicNumber)) {
		return maxTopicNumber + 1, true
	}
	n, _ = strconv.Atoi(rest)
	return n, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// squash removes the spaces of a folded text: "dang ky" and "dangky" are one word.
func squash(folded string) string { return strings.ReplaceAll(folded, " ", "") }

// maxMentionWords bounds the words of a bot's name in a mention: "@Loa Tỉnh ủy Hà Nam".
const maxMentionWords = 6

// withoutMention strips a leading mention of the bot from a group message, on a
// messenger where the bot sees only the messages that mention it or reply to it
// (Capabilities.MentionFirst: Zalo, whose groups are in beta), so members write "@Loa
// đăng ký". The text does not say where the bot's name (which may have several words)
// ends, so the mention is taken to end after the fewest words that leave something
// the bot understands (a command's words or a slash command); a text that means
// nothing either way is left as it is. What follows the mention is kept as written,
// line breaks included.
func (b *Bot) withoutMention(text string) string {
	rest := strings.TrimLeftFunc(text, unicode.IsSpace)
	if !strings.HasPrefix(rest, "@") {
		return text
	}
	for range maxMentionWords {
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			return text
		}
		rest = strings.TrimLeftFunc(rest[end:], unicode.IsSpace)
		if _, ok := b.parse(rest); ok {
			return rest
		}
	}
	return text
}

// message answers a text message: a command, or a hint in a private chat.
func (b *Bot) message(ctx context.Context, u Update) Response {
	caps := b.Capabilities
	private := u.Chat.Kind == kindPrivate
	if caps.MentionFirst && !private {
		u.Text = b.withoutMention(u.Text)
	}
	r, ok := b.parse(u.Text)
	switch {
	case !ok && private && strings.TrimSpace(u.Text) != "":
		return reply(hintText(caps))
	case !ok:
		return Response{} // groups talk among themselves; empty messages say nothing
	case r.target != "" && b.Username != "" && !strings.EqualFold(r.target, b.Username):
		return Response{} // for another bot
	case r.cmd == nil:
		// In a group, "/foo" without a username may be meant for another bot: answer
		// only what was addressed to us by name.
		if private || r.target != "" {
			return reply(unknownCommandText(caps))
		}
		return Response{}
	}
	c := r.cmd
	if !private && r.slash && r.target == "" && b.Username != "" && (c.who == admins || c.private) {
		// Not in the members' menu: "/stats" alone may be another bot's.
		return Response{}
	}
	if refusal, refused := b.refuse(ctx, u, c); refused {
		return refusal
	}
	return c.run(b, ctx, u, r)
}

// refuse returns the answer to someone c's access refuses; refused is false when the
// sender may run c here.
func (b *Bot) refuse(ctx context.Context, u Update, c *command) (resp Response, refused bool) {
	caps := b.Capabilities
	private := u.Chat.Kind == kindPrivate
	var refusal func(caps Capabilities, kind chat.Kind, command string) string
	switch {
	case c.who == admins && !b.isAdmin(ctx, u):
		b.chatLog(u).Warn("admin command refused: not an admin", slog.String("command", c.name),
			slog.String("user_id", u.From.ID))
		refusal = adminRefusedText
	case c.who == chatAdmins && !private && !b.isAdmin(ctx, u):
		refusal = adminOnlyText
	case c.private && !private:
		refusal = privateOnlyText
	default:
		return Response{}, false
	}
	if c.refused != nil {
		refusal = c.refused
	}
	return reply(refusal(caps, u.Chat.Kind, c.quoted(caps))), true
}

// topicsAdminOnly refuses a group member the typed topic switches, as their buttons do.
func topicsAdminOnly(Capabilities, chat.Kind, string) string { return topicsAdminOnlyText }

// help answers /help: the members' commands, and the admins' to an admin in a private
// chat.
func (b *Bot) help(ctx context.Context, u Update, _ request) Response {
	text := b.helpText(u.Chat.Kind, u.Chat.IsForum)
	if u.Chat.Kind == kindPrivate && b.isAdmin(ctx, u) {
		text += "\n\n" + b.adminHelpText()
	}
	return reply(text)
}

// parseCommand splits "/name@target args" into its lower-cased name and its target
// (the bot it is addressed to, if any); ok is false when the text is not a command.
func parseCommand(text string) (name, target string, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	tok := text[1:]
	if i := strings.IndexFunc(tok, unicode.IsSpace); i >= 0 {
		tok = tok[:i]
	}
	name, target, _ = strings.Cut(tok, "@")
	return strings.ToLower(name), target, true
}

// commandArgs returns what follows the command in text, trimmed, line breaks inside
// kept: "/announce@loa_bot Kính gửi\n…" gives "Kính gửi\n…".
func commandArgs(text string) string {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(text[i:])
}

// nextField splits s into its first word and the rest, trimmed.
func nextField(s string) (field, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
