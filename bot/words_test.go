package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"loa/chat"
	"loa/store"
)

// Zalo chats the tests talk in: ids are strings of hex digits, as on the platform.
var (
	zaloMember  = User{ID: "e4ea2cd5189df1c3a88c", Name: "Nguyễn Thị Hoa"}
	zaloPrivate = chat.Chat{Address: "e4ea2cd5189df1c3a88c", Kind: "private", Title: "Nguyễn Thị Hoa"}
	zaloGroup   = chat.Chat{Address: "7d1f0c9ab2e34c55a0b1", Kind: "group", Title: "Chi bộ Thôn 3"}
)

// zmsg is a text message on Zalo.
func zmsg(c chat.Chat, from User, text string) Update {
	return Update{Chat: on(chat.Zalo, c), From: from, Text: text}
}

// zsubscribe makes the Zalo chat an active subscriber.
func (e *env) zsubscribe(t testing.TB, c chat.Chat) {
	t.Helper()
	e.subscribeOn(t, chat.Zalo, c)
}

// zsubscriber returns the Zalo chat's subscriber, failing the test if there is none.
func (e *env) zsubscriber(t *testing.T, address string) store.Subscriber {
	t.Helper()
	return e.subscriberOn(t, chat.Zalo, address)
}

// zaloTopicsSetup: feeds "news" and "thoi-su" (muted), so the list reads
// 1 Tin tức, 2 thoi-su, 3 Ngày kỷ niệm, 4 Thông báo.
func zaloTopicsSetup(t *testing.T, e *env) {
	e.addFeed(t, "news")
	e.addFeed(t, "thoi-su")
	e.zsubscribe(t, zaloPrivate)
	if _, err := e.store.SetTopicMuted(context.Background(), "zalo", zaloPrivate.Address, "thoi-su", true); err != nil {
		t.Fatal(err)
	}
}

// TestZaloGolden pins the wording of the Zalo replies in testdata/golden/zalo-*.txt.
func TestZaloGolden(t *testing.T) {
	t.Parallel()
	zsub := func(c chat.Chat) func(*testing.T, *env) { return func(t *testing.T, e *env) { e.zsubscribe(t, c) } }
	tests := []goldenCase{
		{name: "zalo-start-private", update: zmsg(zaloPrivate, zaloMember, "đăng ký")},
		{name: "zalo-start-private-again", setup: zsub(zaloPrivate), update: zmsg(zaloPrivate, zaloMember, "Dang ky!")},
		{name: "zalo-start-group-member", update: zmsg(zaloGroup, zaloMember, "đăng ký")},
		{name: "zalo-stop-private", setup: zsub(zaloPrivate), update: zmsg(zaloPrivate, zaloMember, "hủy")},
		{name: "zalo-stop-not-subscribed", update: zmsg(zaloPrivate, zaloMember, "huỷ đăng ký")},
		{name: "zalo-topics-private", setup: zaloTopicsSetup, update: zmsg(zaloPrivate, zaloMember, "chủ đề")},
		{name: "zalo-topics-not-subscribed", update: zmsg(zaloPrivate, zaloMember, "/topics")},
		{name: "zalo-topics-group-member", setup: zsub(zaloGroup), update: zmsg(zaloGroup, zaloMember, "chủ đề")},
		{name: "zalo-toggle-off", setup: zaloTopicsSetup, update: zmsg(zaloPrivate, zaloMember, "tắt 1")},
		{name: "zalo-toggle-on", setup: zaloTopicsSetup, update: zmsg(zaloPrivate, zaloMember, "bat 2")},
		{name: "zalo-toggle-out-of-range", setup: zaloTopicsSetup, update: zmsg(zaloPrivate, zaloMember, "bật 9")},
		{name: "zalo-toggle-no-number", setup: zaloTopicsSetup, update: zmsg(zaloPrivate, zaloMember, "tắt")},
		{name: "zalo-toggle-not-subscribed", update: zmsg(zaloPrivate, zaloMember, "tắt 1")},
		{name: "zalo-toggle-group-member", setup: zsub(zaloGroup), update: zmsg(zaloGroup, zaloMember, "tắt 1")},
		{name: "zalo-help-private", update: zmsg(zaloPrivate, zaloMember, "Trợ giúp")},
		{name: "zalo-help-group", update: zmsg(zaloGroup, zaloMember, "/help")},
		{name: "zalo-hint", update: zmsg(zaloPrivate, zaloMember, "Xin chào")},
		{name: "zalo-latest", setup: func(t *testing.T, e *env) { e.addFeed(t, "news", articles(2)...) },
			update: zmsg(zaloPrivate, zaloMember, "/latest")},
		{name: "zalo-unknown-command", update: zmsg(zaloPrivate, zaloMember, "/foo")},
	}
	runGolden(t, tests, newEnv, func(t *testing.T, _ *env, r Response) string {
		for _, rp := range r.Replies {
			if len(rp.Buttons) > 0 {
				t.Errorf("a Zalo reply has buttons, which Zalo cannot show: %v", rp.Buttons)
			}
			if n := utf8.RuneCountInString(rp.Text); n > 2000 {
				t.Errorf("a Zalo reply has %d characters, over Zalo's 2000", n)
			}
		}
		return render(r)
	})
}

// TestTypedWords: what members type is matched whatever its case, diacritics,
// spacing and punctuation around it, where there is no command menu; slash commands
// are read too.
func TestTypedWords(t *testing.T) {
	t.Parallel()
	b := &Bot{Capabilities: typedCaps}
	tests := []struct {
		text string
		cmd  string // "" for plain text; "?" for an unknown slash command
		n    int
	}{
		{"/start", "start", 0},
		{"  /START  ", "start", 0},
		{"đăng ký", "start", 0},
		{"Đăng Ký", "start", 0},
		{"ĐĂNG KÝ!!!", "start", 0},
		{"dang ky", "start", 0},
		{"  dang   ky. ", "start", 0},
		{"đăng kí", "start", 0},
		{"dangky", "start", 0},
		{"\"đăng ký\"", "start", 0},
		{"đăng ký" + "\u0301", "start", 0},             // a stray combining mark
		{"\u0111a\u0306\u0300ng ky\u0301", "start", 0}, // decomposed input (NFD)
		{"/stop", "stop", 0},
		{"huỷ", "stop", 0},
		{"hủy", "stop", 0},
		{"HUY", "stop", 0},
		{"hủy đăng ký", "stop", 0},
		{"Huỷ đăng kí.", "stop", 0},
		{"/topics", "topics", 0},
		{"chủ đề", "topics", 0},
		{"Chu de?", "topics", 0},
		{"/help", "help", 0},
		{"trợ giúp", "help", 0},
		{"tro giup", "help", 0},
		{"bật 2", "on", 2},
		{"Bật 2", "on", 2},
		{"bat 2", "on", 2},
		{"bat2", "on", 2},
		{"bật số 3", "on", 3},
		{"bật chủ đề 4", "on", 4},
		{"BẬT 02.", "on", 2},
		{"tắt 2", "off", 2},
		{"tat 12", "off", 12},
		{"tắt", "off", 0},
		{"bật 0", "on", 0},
		{"tắt 123456789", "off", maxTopicNumber + 1},
		{"/latest", "latest", 0},
		{"/today", "today", 0},
		{"/foo", "?", 0},
		{"/on 2", "?", 0}, // the switches have no slash form
		{"bắt đầu", "", 0},
		{"tất cả", "", 0},
		{"bật đèn", "", 0},
		{"đăng ký giúp tôi", "", 0},
		{"Xin chào", "", 0},
		{"latest", "", 0}, // a command without words is asked for by its slash form
		{"", "", 0},
		{"!!!", "", 0},
	}
	for _, tt := range tests {
		r, ok := b.parse(tt.text)
		got := ""
		switch {
		case ok && r.cmd == nil:
			got = "?"
		case ok:
			got = r.cmd.name
		}
		if got != tt.cmd || r.n != tt.n {
			t.Errorf("parse(%q) = %q, %d; want %q, %d", tt.text, got, r.n, tt.cmd, tt.n)
		}
	}
	// Where there is a command menu, only slash commands are read.
	menu := &Bot{Capabilities: menuCaps}
	for _, text := range []string{"đăng ký", "bật 2", "trợ giúp"} {
		if r, ok := menu.parse(text); ok {
			t.Errorf("with a command menu, parse(%q) = %+v", text, r)
		}
	}
}

// TestTypedHelpParses: every word the typed help shows asks for its command.
func TestTypedHelpParses(t *testing.T) {
	t.Parallel()
	b := &Bot{Capabilities: typedCaps}
	b.RedeemInvite = func(context.Context, string, string, string, string) error { return nil }
	for _, c := range commands {
		if !c.typed(b.Capabilities) {
			continue
		}
		for _, w := range c.words {
			switch c.arg {
			case argNumber:
				w += " 1"
			case argCode:
				w += " K7QX-42MD"
			}
			if r, ok := b.parse(w); !ok || r.cmd != c {
				t.Errorf("%q does not ask for %s: %+v", w, c.name, r)
			}
		}
	}
	help := b.helpText("group", false)
	for _, c := range commands {
		if c.typed(b.Capabilities) && c.menu > 0 && !strings.Contains(help, "• "+c.words[0]+" – ") {
			t.Errorf("the typed help lacks %q:\n%s", c.words[0], help)
		}
	}
}

// TestZaloCommands checks what each typed command does to the store.
func TestZaloCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.addFeed(t, "news")

	e.handle(zmsg(zaloPrivate, zaloMember, "Đăng ký"))
	sub := e.zsubscriber(t, zaloPrivate.Address)
	if sub.Status != store.StatusActive || sub.Kind != "private" || sub.Title != "Nguyễn Thị Hoa" {
		t.Fatalf("after “Đăng ký”: %+v", sub)
	}
	topics, err := e.store.Topics(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// "tắt 1" mutes the first topic of the list; twice is the same as once.
	for range 2 {
		got := text(t, e.handle(zmsg(zaloPrivate, zaloMember, "tắt 1")))
		if !strings.HasPrefix(got, "Đã tắt: "+TopicName(topics[0])) {
			t.Errorf("“tắt 1” answered %q", got)
		}
		if sub := e.zsubscriber(t, zaloPrivate.Address); !slices.Equal(sub.MutedTopics, []string{topics[0]}) {
			t.Errorf("after “tắt 1”: muted %v, want [%s]", sub.MutedTopics, topics[0])
		}
	}
	e.handle(zmsg(zaloPrivate, zaloMember, "bat 1"))
	if sub := e.zsubscriber(t, zaloPrivate.Address); len(sub.MutedTopics) != 0 {
		t.Errorf("after “bat 1”: muted %v, want none", sub.MutedTopics)
	}

	// Out of range changes nothing.
	e.handle(zmsg(zaloPrivate, zaloMember, "tắt 99"))
	if sub := e.zsubscriber(t, zaloPrivate.Address); len(sub.MutedTopics) != 0 {
		t.Errorf("after “tắt 99”: muted %v, want none", sub.MutedTopics)
	}

	// A second "đăng ký" keeps the topics chosen.
	e.handle(zmsg(zaloPrivate, zaloMember, "tắt 2"))
	e.handle(zmsg(zaloPrivate, zaloMember, "dang ky"))
	if sub := e.zsubscriber(t, zaloPrivate.Address); !slices.Equal(sub.MutedTopics, []string{topics[1]}) {
		t.Errorf("a second “dang ky” changed the topics: muted %v", sub.MutedTopics)
	}

	e.handle(zmsg(zaloPrivate, zaloMember, "Huỷ"))
	if sub := e.zsubscriber(t, zaloPrivate.Address); sub.Status != store.StatusStopped {
		t.Errorf("after “Huỷ”: status %s, want stopped", sub.Status)
	}
	if got := text(t, e.handle(zmsg(zaloPrivate, zaloMember, "bật 1"))); got != notSubscribedText(typedCaps, "private") {
		t.Errorf("“bật 1” after stopping answered %q", got)
	}

	// A group member cannot subscribe the group; chatter in a group gets no answer.
	if got, want := text(t, e.handle(zmsg(zaloGroup, zaloMember, "đăng ký"))), startNotAdminText(typedCaps, "group", ""); got != want {
		t.Errorf("group “đăng ký” answered %q", got)
	}
	if _, err := e.store.SubscriberByChat(ctx, "zalo", zaloGroup.Address); !isNotFound(err) {
		t.Errorf("a group member subscribed the group: %v", err)
	}
	if r := e.handle(zmsg(zaloGroup, zaloMember, "hôm nay họp lúc mấy giờ?")); len(r.Replies) != 0 {
		t.Errorf("group chatter answered: %s", render(r))
	}
}

// TestZaloDoesNotChangeTelegram: the typed words are Zalo's; Telegram still answers
// them with its own hint, and its commands keep their buttons.
func TestZaloDoesNotChangeTelegram(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if got := text(t, e.handle(msg(privateChat, member, "đăng ký"))); got != hintText(menuCaps) {
		t.Errorf("Telegram “đăng ký” answered %q, want the plain-text hint", got)
	}
	if got := text(t, e.handle(msg(privateChat, member, "/start"))); got != e.channelBot("telegram").startText("private", false) {
		t.Errorf("Telegram /start answered %q", got)
	}
	r := e.handle(msg(privateChat, member, "/topics"))
	if len(r.Replies) != 1 || len(r.Replies[0].Buttons) == 0 {
		t.Errorf("Telegram /topics lost its keyboard: %s", render(r))
	}
}

func FuzzParseWords(f *testing.F) {
	for _, s := range []string{"đăng ký", "bật 2", "tắt số 12", "/start", "huỷ", "bat", "\u0301", "tat 99999999999999999999", "mời AB12"} {
		f.Add(s)
	}
	b := &Bot{Capabilities: typedCaps}
	f.Fuzz(func(t *testing.T, s string) {
		r, _ := b.parse(s)
		if r.n < 0 || r.n > maxTopicNumber+1 {
			t.Errorf("parse(%q) = %+v: number out of bounds", s, r)
		}
		if r.n != 0 && r.cmd.arg != argNumber {
			t.Errorf("parse(%q) = %s with a number %d", s, r.cmd.name, r.n)
		}
	})
}

// TestZaloGroupMention: in a Zalo group the bot sees only messages that mention it
// (or reply to it), so the words follow a mention of its name, which may have several
// words; the mention is stripped before matching. A private chat is left as it is.
func TestZaloGroupMention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.bot.Username = "" // Zalo bots have no username (app builds Zalo's bot without one)
	ctx := context.Background()
	e.addFeed(t, "news")
	boss := User{ID: zaloAdminID, Name: "Quản trị Zalo"}

	if got, want := text(t, e.handle(zmsg(zaloGroup, boss, "@Loa Tỉnh ủy đăng ký"))), "Nhóm đã được đăng ký nhận tin."; !strings.HasPrefix(got, want) {
		t.Errorf("“@Loa Tỉnh ủy đăng ký” from an admin answered %q", got)
	}
	if sub, err := e.store.SubscriberByChat(ctx, "zalo", zaloGroup.Address); err != nil || sub.Status != store.StatusActive {
		t.Fatalf("the group after a mentioned “đăng ký”: %+v, %v", sub, err)
	}
	for _, tt := range []struct{ text, want string }{
		{"@Loa chủ đề", adminOnlyText(typedCaps, "group", "“chủ đề”")},
		{"@Loa  Bot\u00a0 /help", e.channelBot("zalo").helpText("group", false)},
		{"@Loa hủy đăng ký", adminOnlyText(typedCaps, "group", "“hủy”")},
	} {
		if got := text(t, e.handle(zmsg(zaloGroup, zaloMember, tt.text))); got != tt.want {
			t.Errorf("%q from a member answered %q, want %q", tt.text, got, tt.want)
		}
	}
	if r := e.handle(zmsg(zaloGroup, zaloMember, "@Loa hôm nay họp lúc mấy giờ?")); len(r.Replies) != 0 {
		t.Errorf("mentioned chatter answered: %s", render(r))
	}
	// An admin's announcement after a mention keeps its lines.
	r := e.handle(zmsg(zaloGroup, boss, "@Loa /announce Kính gửi các đồng chí,\nHọp lúc 8 giờ."))
	if len(r.Replies) != 1 || r.Replies[0].Preview == nil || r.Replies[0].Preview.Summary != "Kính gửi các đồng chí,\nHọp lúc 8 giờ." {
		t.Errorf("mentioned /announce: %s", render(r))
	}
	// In a private chat a leading "@" is just text.
	if got := text(t, e.handle(zmsg(zaloPrivate, zaloMember, "@Loa đăng ký"))); got != hintText(typedCaps) {
		t.Errorf("private “@Loa đăng ký” answered %q", got)
	}
}

func TestWithoutMention(t *testing.T) {
	t.Parallel()
	b := &Bot{Capabilities: typedCaps}
	for in, want := range map[string]string{
		"@Loa đăng ký":              "đăng ký",
		"@Loa Tỉnh ủy Hà Nam bật 2": "bật 2",
		"@LoaBot /start@loa_bot":    "/start@loa_bot",
		"  @Loa\ttrợ giúp":          "trợ giúp",
		"@Loa hôm nay họp":          "@Loa hôm nay họp",
		"đăng ký @Loa":              "đăng ký @Loa",
		"@a b c d e f g h đăng ký":  "@a b c d e f g h đăng ký", // a name that long is no mention
		"@":                         "@",
	} {
		if got := b.withoutMention(in); got != want {
			t.Errorf("withoutMention(%q) = %q, want %q", in, got, want)
		}
	}
}
