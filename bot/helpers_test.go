package bot

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loa/chat"
	"loa/feeds"
	"loa/internal/dbtest"
	goldenfile "loa/internal/golden"
	"loa/internal/logtest"
	"loa/store"
)

// golden compares got with testdata/golden/name.txt, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name+".txt"), got)
}

// goldenCase is one reply pinned in testdata/golden/name.txt: the answer to update,
// after setup (if any) has run on the case's own env.
type goldenCase struct {
	name   string
	setup  func(t *testing.T, e *env)
	update Update
}

// runGolden runs each case in parallel on a fresh env made by makeEnv and compares what
// shown makes of the response with its golden file. shown may check the response too;
// nil shows it as render does.
func runGolden(t *testing.T, tests []goldenCase, makeEnv func(testing.TB) *env, shown func(t *testing.T, e *env, r Response) string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := makeEnv(t)
			if tt.setup != nil {
				tt.setup(t, e)
			}
			r := e.handle(tt.update)
			got := render(r)
			if shown != nil {
				got = shown(t, e, r)
			}
			golden(t, tt.name, got)
		})
	}
}

// render writes a Response as a reviewer reads it: the messages, their buttons (with
// their data), the edit, the toast and whether the bot leaves.
func render(r Response) string {
	var sb strings.Builder
	writeReply := func(head string, rp Reply) {
		if p := rp.Preview; p != nil {
			// The content as the adapters receive it; each renders it its own way.
			fmt.Fprintf(&sb, "--- preview (kind %s, topic %s)\n%s\n", p.Kind, p.Topic, p.Summary)
		}
		sb.WriteString("--- " + head + "\n" + rp.Text + "\n")
		for _, row := range rp.Buttons {
			for i, btn := range row {
				if i > 0 {
					sb.WriteString(" ")
				}
				fmt.Fprintf(&sb, "[%s](%s)", btn.Text, btn.Data)
			}
			sb.WriteString("\n")
		}
	}
	for _, rp := range r.Replies {
		writeReply("reply", rp)
	}
	if r.Edit != nil {
		writeReply("edit", *r.Edit)
	}
	if r.CallbackText != "" {
		sb.WriteString("--- toast\n" + r.CallbackText + "\n")
	}
	if r.Leave {
		sb.WriteString("--- leave\n")
	}
	return sb.String()
}

const (
	adminID     = "1001"
	memberID    = "2002"
	zaloAdminID = "a1b2c3d4e5f6a7b8c9d0"
)

// isAdmin makes adminID the one loa admin on Telegram and zaloAdminID the one on Zalo.
func isAdmin(_ context.Context, channel, userID string) bool {
	return (channel == "telegram" && userID == adminID) || (channel == "zalo" && userID == zaloAdminID)
}

// env is a bot on a fresh store of its own.
type env struct {
	bot   *Bot
	store *store.Store
	logs  *logtest.Buffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, dbtest.Store(t))
}

func newEnvOn(t testing.TB, s *store.Store) *env {
	t.Helper()
	logs := &logtest.Buffer{}
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return &env{
		bot: &Bot{
			Store:    s,
			IsAdmin:  isAdmin,
			Log:      slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Location: loc,
			Username: "loa_bot",
		},
		store: s,
		logs:  logs,
	}
}

// The capabilities each channel's adapter declares (telegram.Client.Capabilities,
// zalo.Client.Capabilities; app's end-to-end tests run the real ones).
var (
	menuCaps  = Capabilities{Buttons: true, CommandMenu: true}
	typedCaps = Capabilities{MentionFirst: true}
)

// handle answers u as the bot of u's channel: the env's bot with that channel's
// capabilities.
func (e *env) handle(u Update) Response {
	return e.channelBot(u.Chat.Channel).Handle(context.Background(), u)
}

// channelBot is the env's bot as the service builds it for channel.
func (e *env) channelBot(channel chat.Channel) *Bot {
	b := *e.bot
	b.Capabilities = menuCaps
	if channel == "zalo" {
		b.Capabilities = typedCaps
	}
	return &b
}

// subscriber returns the Telegram chat's subscriber, failing the test if there is none.
func (e *env) subscriber(t *testing.T, address string) store.Subscriber {
	t.Helper()
	return e.subscriberOn(t, chat.Telegram, address)
}

// subscriberOn returns the subscriber of the chat at address on the channel, failing
// the test if there is none.
func (e *env) subscriberOn(t *testing.T, channel chat.Channel, address string) store.Subscriber {
	t.Helper()
	sub, err := e.store.SubscriberByChat(context.Background(), channel, address)
	if err != nil {
		t.Fatalf("%s subscriber %s: %v", channel, address, err)
	}
	return sub
}

// subscribe makes the chat an active subscriber on Telegram.
func (e *env) subscribe(t testing.TB, c chat.Chat) {
	t.Helper()
	e.subscribeOn(t, chat.Telegram, c)
}

// subscribeOn makes the chat an active subscriber on the channel.
func (e *env) subscribeOn(t testing.TB, channel chat.Channel, c chat.Chat) {
	t.Helper()
	if _, _, err := e.store.Subscribe(context.Background(), chat.Chat{
		Channel: channel, Address: c.Address, Kind: chat.Kind(c.Kind), Title: c.Title,
	}); err != nil {
		t.Fatal(err)
	}
}

// addFeed adds a feed with the topic and records a poll of it with the items.
func (e *env) addFeed(t testing.TB, topic string, items ...feeds.Item) {
	t.Helper()
	ctx := context.Background()
	f, err := e.store.AddFeed(ctx, store.NewFeed{
		URL: "https://tinhuy.example.vn/rss/" + topic + ".rss", Topic: topic, Interval: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 6, 7, 8, 0, 0, 0, time.UTC)
	if _, err := e.store.RecordPoll(ctx, store.PollSuccess{
		FeedID: f.ID, PolledAt: now, NextPollAt: now.Add(time.Hour), Items: items, MaxAnnounce: 10,
	}); err != nil {
		t.Fatal(err)
	}
}

// Chats and people the tests talk in.
var (
	boss   = User{ID: adminID, Name: "Quản trị"}
	member = User{ID: memberID, Name: "Nguyễn Văn An"}

	privateChat = chat.Chat{Address: memberID, Kind: "private", Title: "Nguyễn Văn An"}
	adminChat   = chat.Chat{Address: adminID, Kind: "private", Title: "Quản trị"}
	groupChat   = chat.Chat{Address: "-4001", Kind: "group", Title: "Chi bộ Văn phòng"}
	forumChat   = chat.Chat{Address: "-1004002", Kind: "supergroup", Title: "Đảng bộ Khối", IsForum: true, ThreadID: 7}
	plainSuper  = chat.Chat{Address: "-1004003", Kind: "supergroup", Title: "Ban Tuyên giáo"}
	channelChat = chat.Chat{Address: "-1004004", Kind: "channel", Title: "Tin Tỉnh ủy"}
)

// msg is a text message in a chat.
func msg(c chat.Chat, from User, text string) Update {
	return Update{Chat: on(chat.Telegram, c), From: from, Text: text}
}

// press is a press on a button of the message 42 in a chat.
func press(c chat.Chat, from User, data string) Update {
	return Update{Chat: on(chat.Telegram, c), From: from, Callback: &Callback{ID: "cb1", Data: data, MessageID: "42"}}
}

// added is the bot being added to (or removed from) a chat.
func added(c chat.Chat, from User, isAdded bool) Update {
	return Update{Chat: on(chat.Telegram, c), From: from, Membership: &Membership{Added: isAdded}}
}

// text returns the only reply's text, failing the test otherwise.
func text(t *testing.T, r Response) string {
	t.Helper()
	if len(r.Replies) != 1 {
		t.Fatalf("want one reply, got %s", render(r))
	}
	return r.Replies[0].Text
}

// articles are real-looking items, published on different days (UTC; the 17:30 one is
// the next day in Vietnam).
func articles(n int) []feeds.Item {
	titles := []string{
		"Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15",
		"Hà Nam & Ninh Bình <2025>: hợp nhất",
		"Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước",
		"Tổng kết công tác tuyên giáo 6 tháng đầu năm",
		"Hướng dẫn tổ chức đại hội chi bộ",
		"Tin cũ nhất",
	}
	var items []feeds.Item
	for i := range n {
		items = append(items, feeds.Item{
			Key:       fmt.Sprintf("key-%d", i),
			GUID:      fmt.Sprintf("guid-%d", i),
			Link:      fmt.Sprintf("https://tinhuy.example.vn/tin/%d.html", i),
			Title:     titles[i%len(titles)],
			Published: time.Date(2024, 6, 5-i, 17, 30, 0, 0, time.UTC),
		})
	}
	return items
}

// on is c on the channel ch.
func on(ch chat.Channel, c chat.Chat) chat.Chat {
	c.Channel = ch
	return c
}
