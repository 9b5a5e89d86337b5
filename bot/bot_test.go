package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"loa/chat"
	"loa/store"
)

// TestGolden pins the wording of the main replies in testdata/golden.
func TestGolden(t *testing.T) {
	t.Parallel()
	longTopic := strings.Repeat("chuyen-muc-", 7) // 77 bytes: hashed button data
	tests := []goldenCase{
		{name: "start-private", update: msg(privateChat, member, "/start")},
		{name: "start-private-again", setup: subscribeChat(privateChat), update: msg(privateChat, member, "/start")},
		{name: "start-group-admin", update: msg(groupChat, boss, "/start")},
		{name: "start-forum-admin", update: msg(forumChat, boss, "/start")},
		{name: "start-group-member", update: msg(groupChat, member, "/start")},
		{name: "start-channel-member", update: msg(channelChat, member, "/start")},
		{name: "stop-private", setup: subscribeChat(privateChat), update: msg(privateChat, member, "/stop")},
		{name: "stop-group-admin", setup: subscribeChat(groupChat), update: msg(groupChat, boss, "/stop")},
		{name: "stop-not-subscribed", update: msg(privateChat, member, "/stop")},
		{name: "stop-group-member", setup: subscribeChat(groupChat), update: msg(groupChat, member, "/stop")},
		{name: "topics-private", setup: func(t *testing.T, e *env) {
			e.addFeed(t, "news")
			e.addFeed(t, "thoi-su")
			e.addFeed(t, longTopic)
			e.subscribe(t, privateChat)
			if _, err := e.store.SetTopicMuted(context.Background(), "telegram", privateChat.Address, "thoi-su", true); err != nil {
				t.Fatal(err)
			}
		}, update: msg(privateChat, member, "/topics")},
		{name: "topics-group-admin", setup: subscribeChat(groupChat), update: msg(groupChat, boss, "/topics")},
		{name: "topics-not-subscribed", update: msg(privateChat, member, "/topics")},
		{name: "topics-group-member", setup: subscribeChat(groupChat), update: msg(groupChat, member, "/topics")},
		{name: "callback-off", setup: func(t *testing.T, e *env) {
			e.addFeed(t, "news")
			e.subscribe(t, privateChat)
		}, update: press(privateChat, member, "t0:news")},
		{name: "callback-outdated", setup: subscribeChat(privateChat), update: press(privateChat, member, "t0:removed")},
		{name: "callback-group-member", setup: subscribeChat(groupChat), update: press(groupChat, member, "t0:announcements")},
		{name: "callback-not-subscribed", update: press(privateChat, member, "t0:announcements")},
		{name: "latest", setup: func(t *testing.T, e *env) { e.addFeed(t, "news", articles(6)...) },
			update: msg(privateChat, member, "/latest")},
		{name: "latest-empty", update: msg(groupChat, member, "/latest")},
		{name: "help-private", update: msg(privateChat, member, "/help")},
		{name: "help-group", update: msg(groupChat, member, "/help")},
		{name: "help-forum", update: msg(forumChat, member, "/help")},
		{name: "here-topic", setup: subscribeChat(forumChat), update: msg(forumChat, boss, "/here")},
		{name: "here-general", setup: subscribeChat(forumChat), update: msg(withThread(forumChat, 0), boss, "/here")},
		{name: "here-not-forum", setup: subscribeChat(plainSuper), update: msg(plainSuper, boss, "/here")},
		{name: "here-not-subscribed", update: msg(forumChat, boss, "/here")},
		{name: "here-member", setup: subscribeChat(forumChat), update: msg(forumChat, member, "/here")},
		{name: "unknown-command", update: msg(privateChat, member, "/foo")},
		{name: "plain-text", update: msg(privateChat, member, "Xin chào")},
		{name: "added-group-admin", update: added(groupChat, boss, true)},
		{name: "added-forum-admin", update: added(forumChat, boss, true)},
		{name: "added-channel-admin", update: added(channelChat, boss, true)},
		{name: "added-group-member", update: added(groupChat, member, true)},
		{name: "added-channel-member", update: added(channelChat, member, true)},
	}
	runGolden(t, tests, newEnv, nil)
}

func subscribeChat(c chat.Chat) func(*testing.T, *env) {
	return func(t *testing.T, e *env) { e.subscribe(t, c) }
}

func withThread(c chat.Chat, thread int64) chat.Chat {
	c.ThreadID = thread
	return c
}

// TestCommandsByWho runs every command in a private chat and in groups, as an admin and
// as a member, and checks who is answered what and what the store then holds.
func TestCommandsByWho(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		subscribed bool
		update     Update
		want       func(chat.Chat) string // the reply
		wantStatus store.SubscriberStatus // the chat's status afterwards; "" for none
	}{
		{"start private", false, msg(privateChat, member, "/start"),
			started, store.StatusActive},
		{"start group admin", false, msg(groupChat, boss, "/start"),
			started, store.StatusActive},
		{"start supergroup admin", false, msg(plainSuper, boss, "/start"),
			started, store.StatusActive},
		{"start channel admin", false, msg(channelChat, boss, "/start"),
			started, store.StatusActive},
		{"start group member", false, msg(groupChat, member, "/start"), startNotAdmin, ""},
		{"start supergroup member", false, msg(plainSuper, member, "/start"), startNotAdmin, ""},
		{"start without sender", false, msg(groupChat, User{}, "/start"), startNotAdmin, ""},

		{"stop private", true, msg(privateChat, member, "/stop"), stopped, store.StatusStopped},
		{"stop group admin", true, msg(groupChat, boss, "/stop"), stopped, store.StatusStopped},
		{"stop group member", true, msg(groupChat, member, "/stop"), adminOnly("stop"), store.StatusActive},
		{"stop not subscribed", false, msg(privateChat, member, "/stop"), notSubscribed, ""},

		{"topics group member", true, msg(groupChat, member, "/topics"), adminOnly("topics"), store.StatusActive},
		{"topics not subscribed", false, msg(privateChat, member, "/topics"), notSubscribed, ""},

		{"latest private", false, msg(privateChat, member, "/latest"), fixed(noArticlesText), ""},
		{"latest group member", true, msg(groupChat, member, "/latest"), fixed(noArticlesText), store.StatusActive},
		{"latest group admin", true, msg(groupChat, boss, "/latest"), fixed(noArticlesText), store.StatusActive},

		{"help private", false, msg(privateChat, member, "/help"),
			helped, ""},
		{"help group member", false, msg(groupChat, member, "/help"),
			helped, ""},
		{"help group admin", false, msg(groupChat, boss, "/help"),
			helped, ""},

		{"here private", false, msg(privateChat, member, "/here"), fixed(hereNoTopicText), ""},
		{"here group member", true, msg(groupChat, member, "/here"), adminOnly("here"), store.StatusActive},
		{"here group admin", true, msg(groupChat, boss, "/here"), fixed(hereNoTopicText), store.StatusActive},

		{"unknown private", false, msg(privateChat, member, "/foo"), fixed(unknownCommandText(menuCaps)), ""},
		{"unknown group addressed", false, msg(groupChat, member, "/foo@loa_bot"), fixed(unknownCommandText(menuCaps)), ""},
		{"plain text private", false, msg(privateChat, member, "cho tôi hỏi"), fixed(hintText(menuCaps)), ""},

		// Case and arguments do not matter; deep-link payloads are ignored.
		{"upper case", false, msg(privateChat, member, "/START"),
			started, store.StatusActive},
		{"with argument", false, msg(privateChat, member, "  /start from-portal "),
			started, store.StatusActive},
		{"addressed to us", false, msg(groupChat, boss, "/start@Loa_Bot"),
			started, store.StatusActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if tt.subscribed {
				e.subscribe(t, tt.update.Chat)
			}
			got := text(t, e.handle(tt.update))
			if want := tt.want(tt.update.Chat); got != want {
				t.Errorf("reply:\n%s\nwant:\n%s", got, want)
			}
			sub, err := e.store.SubscriberByChat(context.Background(), "telegram", tt.update.Chat.Address)
			switch {
			case tt.wantStatus == "" && !isNotFound(err):
				t.Errorf("want no subscriber, got %+v, %v", sub, err)
			case tt.wantStatus != "" && err != nil:
				t.Errorf("want a subscriber: %v", err)
			case tt.wantStatus != "" && sub.Status != tt.wantStatus:
				t.Errorf("status %q, want %q", sub.Status, tt.wantStatus)
			case tt.wantStatus != "" && sub.Kind != tt.update.Chat.Kind:
				t.Errorf("kind %q, want %q", sub.Kind, tt.update.Chat.Kind)
			}
			if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
				t.Errorf("errors logged:\n%s", e.logs)
			}
		})
	}
}

// Telegram's answers, by the kind of chat.
var telegramBot = &Bot{Capabilities: menuCaps}

func started(c chat.Chat) string       { return telegramBot.startText(c.Kind, false) }
func helped(c chat.Chat) string        { return telegramBot.helpText(c.Kind, false) }
func startNotAdmin(c chat.Chat) string { return startNotAdminText(menuCaps, c.Kind, "") }
func stopped(c chat.Chat) string       { return stoppedText(menuCaps, c.Kind) }
func notSubscribed(c chat.Chat) string { return notSubscribedText(menuCaps, c.Kind) }
func adminOnly(cmd string) func(chat.Chat) string {
	return func(c chat.Chat) string { return adminOnlyText(menuCaps, c.Kind, "/"+cmd) }
}
func fixed(s string) func(chat.Chat) string { return func(chat.Chat) string { return s } }

// TestSilence: updates the bot must not answer at all, in any way.
func TestSilence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(t, groupChat)
	tests := []struct {
		name   string
		update Update
	}{
		{"empty update", Update{}},
		{"no channel", Update{Chat: privateChat, From: member, Text: "/start"}},
		{"no chat", Update{Chat: chat.Chat{Channel: chat.Telegram}, From: member, Text: "/start"}},
		{"unknown chat kind", msg(chat.Chat{Address: "5", Kind: "bot"}, member, "/start")},
		{"no kind", msg(chat.Chat{Address: "5"}, member, "/start")},
		{"empty text private", msg(privateChat, member, "")},
		{"blank text private", msg(privateChat, member, " \n\t")},
		{"plain text group", msg(groupChat, member, "Chào cả nhà")},
		{"plain text channel", msg(channelChat, boss, "Bài đăng của kênh")},
		{"other bot in group", msg(groupChat, boss, "/start@other_bot")},
		{"other bot stop", msg(groupChat, boss, "/stop@other_bot")},
		{"other bot in private", msg(privateChat, member, "/help@other_bot")},
		{"unaddressed unknown in group", msg(groupChat, member, "/weather")},
		{"unaddressed unknown in channel", msg(channelChat, boss, "/poll")},
		{"callback without chat", Update{Chat: chat.Chat{Channel: chat.Telegram}, From: member, Callback: &Callback{ID: "x", Data: "t0:news"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if r := e.handle(tt.update); !isEmpty(r) {
				t.Errorf("want no response, got\n%s", render(r))
			}
		})
	}
	t.Cleanup(func() {
		if sub := e.subscriber(t, groupChat.Address); sub.Status != store.StatusActive {
			t.Errorf("group status %q after commands for another bot", sub.Status)
		}
	})
}

func isEmpty(r Response) bool {
	return len(r.Replies) == 0 && r.Edit == nil && r.CallbackText == "" && !r.Leave
}

// TestStartTwice: a second /start keeps the topics the member chose.
func TestStartTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addFeed(t, "news")
	if got, want := text(t, e.handle(msg(privateChat, member, "/start"))), telegramBot.startText("private", false); got != want {
		t.Fatalf("first /start: %s", got)
	}
	e.handle(press(privateChat, member, "t0:news"))
	if got, want := text(t, e.handle(msg(privateChat, member, "/start"))), telegramBot.alreadyText("private", false); got != want {
		t.Fatalf("second /start: %s", got)
	}
	sub := e.subscriber(t, privateChat.Address)
	if sub.Status != store.StatusActive || !slices.Equal(sub.MutedTopics, []string{"news"}) {
		t.Errorf("after a second /start: status %q, muted %v; want active, [news]", sub.Status, sub.MutedTopics)
	}
	subs, err := e.store.Subscribers(context.Background())
	if err != nil || len(subs) != 1 {
		t.Errorf("subscribers: %d, %v; want 1", len(subs), err)
	}
}

// TestStopThenStart: /stop keeps the row; /start brings it back with every topic.
func TestStopThenStart(t *testing.T) {
	t.Parallel()
	for _, c := range []chat.Chat{privateChat, groupChat} {
		t.Run(string(c.Kind), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			from := member
			if c.Kind != "private" {
				from = boss
			}
			e.handle(msg(c, from, "/start"))
			first := e.subscriber(t, c.Address)
			e.handle(press(c, from, "t0:announcements"))

			if got := text(t, e.handle(msg(c, from, "/stop"))); got != stoppedText(menuCaps, c.Kind) {
				t.Errorf("/stop: %s", got)
			}
			sub := e.subscriber(t, c.Address)
			if sub.Status != store.StatusStopped || sub.ID != first.ID || sub.StatusReason == "" {
				t.Errorf("after /stop: %+v", sub)
			}
			if got := text(t, e.handle(msg(c, from, "/stop"))); got != notSubscribedText(menuCaps, c.Kind) {
				t.Errorf("second /stop: %s", got)
			}
			// Topics cannot be changed while stopped: /start would reset them.
			if got := text(t, e.handle(msg(c, from, "/topics"))); got != notSubscribedText(menuCaps, c.Kind) {
				t.Errorf("/topics while stopped: %s", got)
			}
			if r := e.handle(press(c, from, "t1:announcements")); r.CallbackText != notSubscribedToast(c.Kind) || r.Edit != nil {
				t.Errorf("button while stopped: %s", render(r))
			}

			if got := text(t, e.handle(msg(c, from, "/start"))); got != telegramBot.startText(c.Kind, false) {
				t.Errorf("/start after /stop: %s", got)
			}
			sub = e.subscriber(t, c.Address)
			if sub.Status != store.StatusActive || sub.ID != first.ID || len(sub.MutedTopics) != 0 {
				t.Errorf("after /start: %+v", sub)
			}
		})
	}
}

// TestTopicButtons toggles topics through the keyboard and checks what the store keeps.
func TestTopicButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	longTopic := strings.Repeat("chuyên-mục-", 6) // well over 64 bytes with its prefix
	e.addFeed(t, "news")
	e.addFeed(t, longTopic)
	e.subscribe(t, privateChat)

	r := e.handle(msg(privateChat, member, "/topics"))
	kb := buttons(t, r.Replies[0].Buttons)
	// Feed topics sort by name, then the built-in ones.
	wantTopics := []string{longTopic, "news", store.TopicAnniversaries, store.TopicAnnouncements}
	if len(kb) != len(wantTopics) {
		t.Fatalf("keyboard %v, want %d buttons", kb, len(wantTopics))
	}
	for i, topic := range wantTopics {
		if want := markOn + " " + TopicName(topic); kb[i].Text != want {
			t.Errorf("button %d: %q, want %q", i, kb[i].Text, want)
		}
	}

	steps := []struct {
		button    int // pressed on the keyboard last shown
		wantToast string
		wantMuted []string
	}{
		{1, "Đã tắt: Tin tức", []string{"news"}},
		{0, "Đã tắt: " + longTopic, []string{"news", longTopic}},
		{1, "Đã bật: Tin tức", []string{longTopic}},
		{3, "Đã tắt: Thông báo", []string{longTopic, store.TopicAnnouncements}},
		{0, "Đã bật: " + longTopic, []string{store.TopicAnnouncements}},
	}
	for i, st := range steps {
		r := e.handle(press(privateChat, member, kb[st.button].Data))
		if r.CallbackText != st.wantToast || len(r.Replies) != 0 || r.Edit == nil {
			t.Fatalf("step %d: %s", i, render(r))
		}
		if sub := e.subscriber(t, privateChat.Address); !slices.Equal(sub.MutedTopics, st.wantMuted) {
			t.Errorf("step %d: muted %v, want %v", i, sub.MutedTopics, st.wantMuted)
		}
		kb = buttons(t, r.Edit.Buttons)
		for j, topic := range wantTopics {
			mark := markOn
			if slices.Contains(st.wantMuted, topic) {
				mark = markOff
			}
			if want := mark + " " + TopicName(topic); kb[j].Text != want {
				t.Errorf("step %d, button %d: %q, want %q", i, j, kb[j].Text, want)
			}
		}
	}

	// A double tap (the same button pressed twice before the edit arrives) leaves the
	// state the member saw on the button.
	stale := kb[2].Data
	for range 2 {
		if r := e.handle(press(privateChat, member, stale)); r.CallbackText != "Đã tắt: Ngày kỷ niệm" {
			t.Errorf("double tap: %s", render(r))
		}
	}
	if sub := e.subscriber(t, privateChat.Address); !slices.Contains(sub.MutedTopics, store.TopicAnniversaries) {
		t.Errorf("after a double tap: muted %v, want anniversaries among them", sub.MutedTopics)
	}

	// A press without a message to edit still answers the button.
	u := press(privateChat, member, kb[0].Data)
	u.Callback.MessageID = ""
	if r := e.handle(u); r.CallbackText == "" || r.Edit != nil {
		t.Errorf("press without a message id: %s", render(r))
	}
}

func buttons(t *testing.T, rows [][]Button) []Button {
	t.Helper()
	var out []Button
	for _, row := range rows {
		if len(row) != 1 {
			t.Fatalf("want one button per row, got %v", row)
		}
		if len(row[0].Data) > maxButtonData || row[0].Data == "" {
			t.Errorf("button data %q: %d bytes", row[0].Data, len(row[0].Data))
		}
		out = append(out, row[0])
	}
	return out
}

// TestTopicButtonsInGroups: only admins change a group's topics.
func TestTopicButtonsInGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addFeed(t, "news")
	e.subscribe(t, forumChat)

	if r := e.handle(press(forumChat, member, "t0:news")); r.CallbackText != topicsAdminOnlyText || r.Edit != nil {
		t.Errorf("member's press: %s", render(r))
	}
	if sub := e.subscriber(t, forumChat.Address); len(sub.MutedTopics) != 0 {
		t.Errorf("a member's press muted %v", sub.MutedTopics)
	}
	r := e.handle(msg(forumChat, boss, "/topics"))
	if len(r.Replies) != 1 || len(r.Replies[0].Buttons) != 3 {
		t.Fatalf("admin's /topics: %s", render(r))
	}
	if r := e.handle(press(forumChat, boss, r.Replies[0].Buttons[0][0].Data)); r.CallbackText != "Đã tắt: Tin tức" || r.Edit == nil {
		t.Errorf("admin's press: %s", render(r))
	}
	if sub := e.subscriber(t, forumChat.Address); !slices.Equal(sub.MutedTopics, []string{"news"}) {
		t.Errorf("muted %v, want [news]", sub.MutedTopics)
	}
}

// TestOutdatedButtons: data the bot would not make now answers with a toast and changes
// nothing.
func TestOutdatedButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addFeed(t, "news")
	e.subscribe(t, privateChat)
	for _, data := range []string{
		"", "t:news", "t2:news", "t0:", "t0:removed-feed", "h0:deadbeef", "h0:" + topicHash("removed-feed"),
		"h0:" + topicHash("news"), // a short topic is never hashed
		"x0:news", "t0news", "menu:1",
	} {
		r := e.handle(press(privateChat, member, data))
		if r.CallbackText != outdatedToast || r.Edit != nil || len(r.Replies) != 0 {
			t.Errorf("data %q: %s", data, render(r))
		}
	}
	if sub := e.subscriber(t, privateChat.Address); len(sub.MutedTopics) != 0 {
		t.Errorf("outdated buttons muted %v", sub.MutedTopics)
	}
}

// TestMembership: the bot added by an admin subscribes the chat; by anyone else it
// leaves; removed, the chat is marked gone.
func TestMembership(t *testing.T) {
	t.Parallel()
	for _, c := range []chat.Chat{groupChat, forumChat, channelChat} {
		t.Run(string(c.Kind)+"/admin", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			r := e.handle(added(c, boss, true))
			if got := text(t, r); got != telegramBot.greetingText(c.Kind, c.IsForum) || r.Leave {
				t.Errorf("added by an admin: %s", render(r))
			}
			sub := e.subscriber(t, c.Address)
			if sub.Status != store.StatusActive || sub.Kind != c.Kind || sub.Title != c.Title {
				t.Errorf("subscriber %+v", sub)
			}

			if r := e.handle(added(c, boss, false)); !isEmpty(r) {
				t.Errorf("removed: %s", render(r))
			}
			sub = e.subscriber(t, c.Address)
			if sub.Status != store.StatusGone || sub.StatusReason != "bot removed from chat" {
				t.Errorf("after removal: status %q (%q)", sub.Status, sub.StatusReason)
			}

			// Added again: active again.
			e.handle(added(c, boss, true))
			if sub := e.subscriber(t, c.Address); sub.Status != store.StatusActive {
				t.Errorf("added again: status %q", sub.Status)
			}
		})
		t.Run(string(c.Kind)+"/member", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			r := e.handle(added(c, member, true))
			if got := text(t, r); got != notAllowedToAddText(c.Kind) || !r.Leave {
				t.Errorf("added by a member: %s", render(r))
			}
			if _, err := e.store.SubscriberByChat(context.Background(), "telegram", c.Address); !isNotFound(err) {
				t.Errorf("a member's chat became a subscriber: %v", err)
			}
			entry := logEntry(t, e.logs.String(), "WARN")
			if entry["user_id"] != memberID || entry["chat_id"] != c.Address {
				t.Errorf("log entry %v, want user_id %s and chat_id %s", entry, memberID, c.Address)
			}
		})
	}
	t.Run("removed unknown", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		if r := e.handle(added(groupChat, member, false)); !isEmpty(r) {
			t.Errorf("removed from a chat that never subscribed: %s", render(r))
		}
		if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
			t.Errorf("errors logged:\n%s", e.logs)
		}
	})
	t.Run("private blocked and unblocked", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.subscribe(t, privateChat)
		if r := e.handle(added(privateChat, member, false)); !isEmpty(r) {
			t.Errorf("blocked: %s", render(r))
		}
		if sub := e.subscriber(t, privateChat.Address); sub.Status != store.StatusGone {
			t.Errorf("blocked: status %q", sub.Status)
		}
		if r := e.handle(added(privateChat, member, true)); !isEmpty(r) {
			t.Errorf("unblocked: %s", render(r))
		}
		if sub := e.subscriber(t, privateChat.Address); sub.Status != store.StatusGone {
			t.Errorf("unblocked without /start: status %q", sub.Status)
		}
	})
}

// logEntry returns the first log entry at the level, failing the test if there is none.
func logEntry(t *testing.T, logs, level string) map[string]any {
	t.Helper()
	for line := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry["level"] == level {
			return entry
		}
	}
	t.Fatalf("no %s entry in\n%s", level, logs)
	return nil
}

// TestHere: an admin's /here in a forum topic sends broadcasts there.
func TestHere(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		chat       chat.Chat
		from       User
		want       string
		wantThread int64
	}{
		{"forum topic", forumChat, boss, hereText, 7},
		{"forum general", withThread(forumChat, 0), boss, hereGeneralText, 0},
		{"forum member", forumChat, member, adminOnlyText(menuCaps, "supergroup", "/here"), 3},
		{"supergroup without topics", withThread(plainSuper, 0), boss, hereNoTopicText, 3},
		{"group", groupChat, boss, hereNoTopicText, 3},
		{"channel", channelChat, boss, hereNoTopicText, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.subscribe(t, tt.chat)
			if err := e.store.SetThread(context.Background(), "telegram", tt.chat.Address, 3); err != nil {
				t.Fatal(err)
			}
			if got := text(t, e.handle(msg(tt.chat, tt.from, "/here@loa_bot"))); got != tt.want {
				t.Errorf("reply %q, want %q", got, tt.want)
			}
			if sub := e.subscriber(t, tt.chat.Address); sub.ThreadID != tt.wantThread {
				t.Errorf("thread %d, want %d", sub.ThreadID, tt.wantThread)
			}
		})
	}
	t.Run("not subscribed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		if got := text(t, e.handle(msg(forumChat, boss, "/here"))); got != hereNotSubscribedText {
			t.Errorf("reply %q", got)
		}
	})
}

// TestMigration: a group that became a supergroup keeps its subscription under the new
// address.
func TestMigration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addFeed(t, "news")
	e.handle(msg(groupChat, boss, "/start"))
	e.handle(press(groupChat, boss, "t0:news"))
	before := e.subscriber(t, groupChat.Address)

	u := Update{Chat: on(chat.Telegram, groupChat), From: boss, MigratedTo: "-1009999"}
	if r := e.handle(u); !isEmpty(r) {
		t.Errorf("migration: %s", render(r))
	}
	after := e.subscriber(t, "-1009999")
	if after.ID != before.ID || after.Kind != "supergroup" || after.Status != store.StatusActive ||
		!slices.Equal(after.MutedTopics, []string{"news"}) {
		t.Errorf("after migration: %+v", after)
	}
	if _, err := e.store.SubscriberByChat(context.Background(), "telegram", groupChat.Address); !isNotFound(err) {
		t.Errorf("old address still a subscriber: %v", err)
	}
	if !strings.Contains(e.logs.String(), `"msg":"group migrated to a supergroup"`) {
		t.Errorf("migration not logged:\n%s", e.logs)
	}

	// A group that never subscribed migrates quietly.
	u.Chat.Address, u.MigratedTo = "-4005", "-1005"
	if r := e.handle(u); !isEmpty(r) {
		t.Errorf("migration of an unknown group: %s", render(r))
	}
	if strings.Contains(e.logs.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", e.logs)
	}
}

// TestLatest: the newest five articles, newest first, dated in Vietnam's zone.
func TestLatest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if got := text(t, e.handle(msg(privateChat, member, "/latest"))); got != noArticlesText {
		t.Errorf("no articles: %q", got)
	}
	e.addFeed(t, "news", articles(6)...)
	got := text(t, e.handle(msg(privateChat, member, "/latest")))
	for _, want := range []string{
		"1. Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15 (06/06/2024)\nhttps://tinhuy.example.vn/tin/0.html",
		"2. Hà Nam & Ninh Bình <2025>: hợp nhất (05/06/2024)",
		"5. Hướng dẫn tổ chức đại hội chi bộ (02/06/2024)\nhttps://tinhuy.example.vn/tin/4.html",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/latest lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Tin cũ nhất") || strings.Contains(got, "\n6. ") {
		t.Errorf("/latest shows more than 5:\n%s", got)
	}
}

// TestStoreErrors: a failing store is logged and the member gets an apology, nothing
// more.
func TestStoreErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(t, groupChat)
	e.store.Close()
	for _, u := range []Update{
		msg(privateChat, member, "/start"),
		msg(privateChat, member, "/stop"),
		msg(privateChat, member, "/topics"),
		msg(privateChat, member, "/latest"),
		msg(forumChat, boss, "/here"),
		added(groupChat, boss, true),
	} {
		if got := text(t, e.handle(u)); got != busyText {
			t.Errorf("%s: %q", u.Text, got)
		}
	}
	if r := e.handle(press(privateChat, member, "t0:news")); r.CallbackText != busyText || r.Edit != nil || len(r.Replies) != 0 {
		t.Errorf("button: %s", render(r))
	}
	for _, u := range []Update{
		added(groupChat, boss, false),
		{Chat: on(chat.Telegram, groupChat), MigratedTo: "-1007"},
	} {
		if r := e.handle(u); !isEmpty(r) {
			t.Errorf("no reply expected: %s", render(r))
		}
	}
	entry := logEntry(t, e.logs.String(), "ERROR")
	if entry["error"] == nil || entry["chat_id"] == nil || entry["channel"] != "telegram" {
		t.Errorf("error entry %v", entry)
	}
	if n := strings.Count(e.logs.String(), `"level":"ERROR"`); n != 9 {
		t.Errorf("%d errors logged, want 9:\n%s", n, e.logs)
	}
}

// TestCommands checks the menu against the messenger's limits and the help text.
func TestCommands(t *testing.T) {
	t.Parallel()
	name := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	cmds := Commands()
	if len(cmds) == 0 {
		t.Fatal("no commands")
	}
	help := telegramBot.helpText("private", false)
	for _, c := range cmds {
		if !name.MatchString(c.Name) {
			t.Errorf("command %q", c.Name)
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 {
			t.Errorf("/%s: description of %d characters", c.Name, n)
		}
		if !strings.Contains(help, "/"+c.Name+" – "+c.Description) {
			t.Errorf("help lacks /%s", c.Name)
		}
	}
	cmds[0].Name = "changed"
	if Commands()[0].Name == "changed" {
		t.Error("Commands returns the package's own slice")
	}
}

func TestTopicName(t *testing.T) {
	t.Parallel()
	for topic, want := range map[string]string{
		"news": "Tin tức", store.TopicAnniversaries: "Ngày kỷ niệm", store.TopicAnnouncements: "Thông báo",
		"thoi-su": "thoi-su", "": "",
	} {
		if got := TopicName(topic); got != want {
			t.Errorf("TopicName(%q) = %q, want %q", topic, got, want)
		}
	}
}

// TestToastsFit: toasts stay within answerCallbackQuery's 200 characters.
func TestToastsFit(t *testing.T) {
	t.Parallel()
	for _, s := range []string{busyText, outdatedToast, topicsAdminOnlyText,
		notSubscribedToast("private"), notSubscribedToast("group"), notSubscribedToast("channel")} {
		if n := utf8.RuneCountInString(s); n > 200 {
			t.Errorf("toast of %d characters: %s", n, s)
		}
	}
}

// FuzzHandle: no text or button data makes Handle panic or produce what an adapter
// cannot send.
func FuzzHandle(f *testing.F) {
	e := newEnv(f)
	e.addFeed(f, "news", articles(2)...)
	// Only errors are kept: a long fuzz run would otherwise pile up every log line.
	e.bot.Log = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelError}))
	for _, seed := range []string{"/start", "/stop", "/topics", "/latest", "/help", "/here", "/foo",
		"/start@loa_bot", "/start@other", "/", "/@", "/start@", "xin chào", "", "t0:news", "t1:announcements",
		"h0:" + topicHash("news"), "\x00/start", "/start\x00", "/Stop@LOA_BOT now", "t0:\xff",
		"/announce *Họp* _chi bộ_ [mời](https://x.vn)", "/announce", "/announce \x00", "/schedule 1/1/2099 07:00 Họp",
		"/schedule 31/12/9999 23:59", "/schedule 07:00 1/1/2099", "/scheduled", "/cancel 1", "/stats", "/broadcast",
		"/broadcast 1", "/xacnhan 1", "/huy 1", "a:send:1", "a:time:1", "a:drop:1", "a:ok:1:4102444800",
		"a:ok:1:253402300799", "a:ok:2:99999999999", "a:send:99999999999999999999"} {
		for kind := range uint8(5) {
			f.Add(seed, seed, kind, kind%2 == 0, kind%3 == 0)
		}
	}
	kinds := []chat.Kind{"private", "group", "supergroup", "channel", "nonsense"}
	f.Fuzz(func(t *testing.T, text, data string, kind uint8, fromAdmin, callback bool) {
		c := chat.Chat{Address: "fuzz-" + string(kinds[int(kind)%len(kinds)]), Kind: kinds[int(kind)%len(kinds)], Title: text,
			IsForum: kind&8 != 0, ThreadID: int64(kind >> 4)}
		from := member
		if fromAdmin {
			from = boss
		}
		u := msg(c, from, text)
		if callback {
			u.Callback = &Callback{ID: "1", Data: data, MessageID: "9"}
		}
		r := e.handle(u)
		if callback && len(r.Replies) != 0 {
			t.Errorf("a button press got replies: %s", render(r))
		}
		if callback && c.Kind != "nonsense" && r.CallbackText == "" {
			t.Errorf("a button press went unanswered")
		}
		if !callback && (r.CallbackText != "" || r.Edit != nil) {
			t.Errorf("a message got a toast or an edit: %s", render(r))
		}
		for _, rp := range append(r.Replies, derefReply(r.Edit)...) {
			if rp.Text == "" || !utf8.ValidString(rp.Text) {
				t.Errorf("reply %q", rp.Text)
			}
			if p := rp.Preview; p != nil && (!utf8.ValidString(p.Summary) || strings.ContainsRune(p.Summary, 0) ||
				strings.TrimSpace(p.Summary) == "") {
				t.Errorf("preview %q", p.Summary)
			}
			for _, row := range rp.Buttons {
				for _, btn := range row {
					if len(btn.Data) == 0 || len(btn.Data) > maxButtonData {
						t.Errorf("button data %q", btn.Data)
					}
				}
			}
		}
		if logs := e.logs.String(); logs != "" {
			t.Fatalf("errors logged:\n%s", logs)
		}
	})
}

func derefReply(r *Reply) []Reply {
	if r == nil {
		return nil
	}
	return []Reply{*r}
}
