package bot

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"loa/chat"
)

// channelZalo is the Zalo Bot Platform's channel name.
const channelZalo = "zalo"

// Zalo has no inline keyboards and no command menu: members type words. A message is
// matched whole, after folding (lower case, Vietnamese diacritics removed, đ → d,
// punctuation and spaces around it trimmed, spaces inside ignored), so "Đăng ký!",
// "dang ky" and "ĐĂNG KÍ" all subscribe. Slash commands work too, as on Telegram.
//
//	đăng ký, đăng kí, /start              subscribe (the /start behaviour)
//	hủy, huỷ, hủy đăng ký, /stop           unsubscribe
//	chủ đề, /topics                        the numbered topic list
//	bật N, tắt N (also "bật số N",         turn topic N of that list on or off
//	  "bật chủ đề N", "bat2")
//	trợ giúp, /help                        help with the typed commands
//	/latest, /today, ... any other slash   as on Telegram
//	/announce, /schedule, /xacnhan N,      admins' commands (admin.go); /xacnhan and
//	  /huy N, /scheduled, /cancel, ...       /huy stand for the draft buttons
//
// Anything else gets a short hint in a private chat and nothing in a group. In a group
// the same loa-admin rule as on Telegram applies to subscribing, stopping and topics.

// zaloWords maps a folded message (spaces removed) to the command it means.
var zaloWords = map[string]string{
	"dangky":    "start",
	"dangki":    "start",
	"huy":       "stop",
	"huydangky": "stop",
	"huydangki": "stop",
	"chude":     "topics",
	"trogiup":   "help",
}

// zaloKeywords is what the Zalo menus show for a command, instead of its slash form.
var zaloKeywords = map[string]string{
	"start":  "đăng ký",
	"topics": "chủ đề",
	"stop":   "hủy",
	"help":   "trợ giúp",
}

// maxTopicNumber bounds the N of "bật N": longer numbers are simply out of range.
const maxTopicNumber = 9999

// What a Zalo message asks for (zaloIntent).
const (
	zaloOn     = "on"     // "bật N"
	zaloOff    = "off"    // "tắt N"
	zaloShared = "shared" // a slash command for the shared switch
)

// zaloIntent reads what a Zalo message asks for: "start", "stop", "topics", "help",
// zaloOn or zaloOff with the topic number n (0 when none was given), zaloShared for
// another slash command, or "" for plain text.
func zaloIntent(text string) (intent string, n int) {
	if cmd, _, ok := parseCommand(text); ok {
		switch cmd {
		case "start", "stop", "topics", "help":
			return cmd, 0
		}
		return zaloShared, 0
	}
	key := strings.ReplaceAll(foldVietnamese(text), " ", "")
	if name, ok := zaloWords[key]; ok {
		return name, 0
	}
	if on, n, ok := parseToggle(key); ok {
		if on {
			return zaloOn, n
		}
		return zaloOff, n
	}
	return "", 0
}

// maxMentionWords bounds the words of a bot's name in a mention: "@Loa Tỉnh ủy Hà Nam".
const maxMentionWords = 6

// withoutMention strips a leading mention of the bot from a Zalo group message. Groups
// are in beta on the Zalo Bot Platform and a bot sees only the messages that mention
// it or reply to it, so members write "@Loa đăng ký". The text does not say where the
// bot's name (which may have several words) ends, so the mention is taken to end after
// the fewest words that leave something the bot understands (member words or a slash
// command); a text that means nothing either way is left as it is. What follows the
// mention is kept as written, line breaks included.
func withoutMention(text string) string {
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
		if intent, _ := zaloIntent(rest); intent != "" {
			return rest
		}
	}
	return text
}

// zaloMessage answers a text message on Zalo. handled is false for a slash command it
// leaves to the shared command switch (/latest, /today, /here, unknown commands).
func (b *Bot) zaloMessage(ctx context.Context, u Update) (resp Response, handled bool) {
	private := u.Chat.Kind == kindPrivate
	intent, n := zaloIntent(u.Text)
	switch intent {
	case zaloShared:
		return Response{}, false
	case "start":
		if !private && !b.isAdmin(ctx, u) {
			return zaloWording(reply(startNotAdminText(u.Chat.Kind)), u.Chat.Kind), true
		}
		return zaloWording(b.start(ctx, u), u.Chat.Kind), true
	case "stop":
		if !private && !b.isAdmin(ctx, u) {
			return zaloWording(reply(adminOnlyText(u.Chat.Kind, "stop")), u.Chat.Kind), true
		}
		return zaloWording(b.stop(ctx, u), u.Chat.Kind), true
	case "topics":
		if !private && !b.isAdmin(ctx, u) {
			return zaloWording(reply(adminOnlyText(u.Chat.Kind, "topics")), u.Chat.Kind), true
		}
		return b.zaloTopics(ctx, u), true
	case zaloOn, zaloOff:
		return b.zaloToggle(ctx, u, intent == zaloOn, n), true
	case "help":
		text := zaloHelpText(u.Chat.Kind)
		if private && b.isAdmin(ctx, u) {
			text += "\n\n" + adminHelpText(true)
		}
		return reply(text), true
	}
	if private && strings.TrimSpace(u.Text) != "" {
		return reply(zaloHintText), true
	}
	return Response{}, true // groups talk among themselves
}

// zaloTopics lists the topics, numbered, with their state.
func (b *Bot) zaloTopics(ctx context.Context, u Update) Response {
	sub, ok, err := b.activeSubscriber(ctx, u)
	if err != nil {
		return b.failed(u, "show topics", err)
	}
	if !ok {
		return reply(zaloNotSubscribedText(u.Chat.Kind))
	}
	topics, err := b.Store.Topics(ctx)
	if err != nil {
		return b.failed(u, "show topics", err)
	}
	return reply(zaloTopicsText(u.Chat.Kind, topics, sub.MutedTopics))
}

// zaloToggle turns the n-th topic of the list (store.Topics' order, as zaloTopics
// shows it) on or off. It sets the state asked for, so sending "tắt 2" twice is
// harmless. Numbers follow the list as it is now: a feed added since the member last
// saw it may shift them, which is why the answer names the topic and shows the list.
func (b *Bot) zaloToggle(ctx context.Context, u Update, on bool, n int) Response {
	if u.Chat.Kind != kindPrivate && !b.isAdmin(ctx, u) {
		return reply(topicsAdminOnlyText)
	}
	if n == 0 {
		return reply(zaloToggleUsageText)
	}
	_, ok, err := b.activeSubscriber(ctx, u)
	if err != nil {
		return b.failed(u, "toggle topic", err)
	}
	if !ok {
		return reply(zaloNotSubscribedText(u.Chat.Kind))
	}
	topics, err := b.Store.Topics(ctx)
	if err != nil {
		return b.failed(u, "toggle topic", err)
	}
	if n < 1 || n > len(topics) {
		return reply(zaloNoSuchTopicText(n, len(topics)))
	}
	topic := topics[n-1]
	sub, err := b.Store.SetTopicMuted(ctx, chat.Channel(u.Channel), u.Chat.Address, topic, !on)
	switch {
	case isNotFound(err):
		return reply(zaloNotSubscribedText(u.Chat.Kind))
	case err != nil:
		return b.failed(u, "toggle topic", err)
	}
	b.chatLog(u).Info("topic changed", slog.String("topic", topic), slog.Bool("on", on),
		slog.String("user_id", u.From.ID))
	return reply(topicToast(on, topic) + "\n\n" + zaloTopicsText(u.Chat.Kind, topics, sub.MutedTopics))
}

// parseToggle reads "bat N" / "tat N" from a folded message without spaces: on is
// true for "bật"; n is 0 when no number follows ("bật" alone) and above
// maxTopicNumber for an absurdly long one. ok is false for anything else, e.g.
// "bắt đầu" or "tất cả".
func parseToggle(key string) (on bool, n int, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(key, "bat"):
		on, rest = true, key[len("bat"):]
	case strings.HasPrefix(key, "tat"):
		rest = key[len("tat"):]
	default:
		return false, 0, false
	}
	rest = strings.TrimPrefix(rest, "chude")
	rest = strings.TrimPrefix(rest, "so")
	if rest == "" {
		return on, 0, true
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false, 0, false
		}
	}
	rest = strings.TrimLeft(rest, "0")
	if rest == "" {
		return on, 0, true // "bật 0": no such topic, explained like a missing number
	}
	if len(rest) > len(strconv.Itoa(maxTopicNumber)) {
		return on, maxTopicNumber + 1, true
	}
	n, _ = strconv.Atoi(rest)
	return on, n, true
}

// foldVietnamese lower-cases s, removes its diacritics (tones and the marks of ă, â,
// ê, ô, ơ, ư; đ becomes d), trims punctuation, symbols and spaces at both ends and
// collapses the spaces inside to one: what members type is compared in this form.
func foldVietnamese(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
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

// zaloWording adapts the shared replies of /start and /stop (and the refusals in
// groups) to Zalo: the slash-command menu becomes the typed one, and "/start",
// "/stop", "/topics", "/help" become the words members type. Only texts without
// content from outside (titles, links) go through it, so that a link with "/start" in
// its path is never touched.
func zaloWording(r Response, kind string) Response {
	for i := range r.Replies {
		r.Replies[i].Text = zaloSlashWords.Replace(zaloMenuText(r.Replies[i].Text, kind))
	}
	return r
}

// zaloSlashWords names the commands as typed on Zalo.
var zaloSlashWords = strings.NewReplacer(
	"/start", "“"+zaloKeywords["start"]+"”",
	"/stop", "“"+zaloKeywords["stop"]+"”",
	"/topics", "“"+zaloKeywords["topics"]+"”",
	"/help", "“"+zaloKeywords["help"]+"”",
)

// zaloMenuText replaces the slash-command menu in text, if any, with the typed one.
func zaloMenuText(text, kind string) string {
	skips := []string{""}
	for _, c := range commandList {
		skips = append(skips, c.Name)
	}
	for _, skip := range skips {
		if menu := commandsText(kind, false, skip); strings.Contains(text, menu) {
			return strings.Replace(text, menu, zaloCommandsText(kind, skip), 1)
		}
	}
	return text
}

// zaloCommandsText lists the commands as Zalo members type them, without skip.
func zaloCommandsText(kind, skip string) string {
	var sb strings.Builder
	sb.WriteString(zaloCommandsHeader)
	for _, c := range commandList {
		if c.Name == skip {
			continue
		}
		word, ok := zaloKeywords[c.Name]
		if !ok {
			word = "/" + c.Name
		}
		sb.WriteString("\n• " + word + " – " + c.Description)
	}
	sb.WriteString("\n\n" + zaloToggleTip)
	if kind != kindPrivate {
		_, lower := who(kind)
		sb.WriteString("\n\n" + zaloAdminOnlyNote(lower))
	}
	return sb.String()
}

// zaloTopicsText is the numbered topic list with each topic's state.
func zaloTopicsText(kind string, topics, muted []string) string {
	var sb strings.Builder
	sb.WriteString(zaloTopicsHeader(kind))
	for i, t := range topics {
		mark := markOn
		if slices.Contains(muted, t) {
			mark = markOff
		}
		sb.WriteString("\n" + strconv.Itoa(i+1) + ". " + mark + " " + TopicName(t))
	}
	sb.WriteString("\n\n" + zaloTopicsTip)
	return sb.String()
}
