package telegramtest

import (
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/internal/apitest"
)

const notModifiedDesc = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func keyboard(data ...string) tgbotapi.InlineKeyboardMarkup {
	var row []tgbotapi.InlineKeyboardButton
	for _, d := range data {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(strings.ToUpper(d), d))
	}
	return tgbotapi.NewInlineKeyboardMarkup(row)
}

func TestEditMessageText(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now)) // default rate limits
	s.AddChat(Chat{ID: hoa.ID, Type: Private, FirstName: "Hoa"})
	bot := newBot(t, s)

	m := tgbotapi.NewMessage(hoa.ID, "Chọn chủ đề")
	m.ReplyMarkup = keyboard("articles", "events")
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}

	// A waiter sees the edit.
	edited := make(chan error, 1)
	go func() {
		edited <- s.WaitFor(apitest.Context(t), func() bool {
			msgs := s.Messages(hoa.ID)
			return len(msgs) == 1 && msgs[0].Edits == 1
		})
	}()

	clock.Advance(5 * time.Second)
	edit := tgbotapi.NewEditMessageTextAndMarkup(hoa.ID, sent.MessageID, "<b>Bài viết</b> ✓ &amp; sự kiện", keyboard("articles"))
	edit.ParseMode = tgbotapi.ModeHTML
	got, err := bot.Send(edit)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID != sent.MessageID || got.Chat.ID != hoa.ID || got.Text != "Bài viết ✓ & sự kiện" ||
		got.From == nil || got.From.ID != s.Bot().ID || got.Date != sent.Date ||
		int64(got.EditDate) != clock.Now().Unix() || got.EditDate == got.Date {
		t.Errorf("edited message = %+v", got)
	}
	if len(got.Entities) != 1 || got.Entities[0].Type != "bold" || got.Entities[0].Length != 8 {
		t.Errorf("entities = %+v", got.Entities)
	}
	if got.ReplyMarkup == nil || len(got.ReplyMarkup.InlineKeyboard[0]) != 1 || *got.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "articles" {
		t.Errorf("reply markup = %+v", got.ReplyMarkup)
	}
	if err := <-edited; err != nil {
		t.Fatalf("WaitFor: %v", err)
	}
	rec := s.Messages(hoa.ID)
	if len(rec) != 1 {
		t.Fatalf("records = %+v", rec)
	}
	r := rec[0]
	if r.Text != got.Text || r.RawText != edit.Text || r.ParseMode != "HTML" || len(r.Entities) != 1 || r.Edits != 1 ||
		!r.EditedAt.Equal(clock.Now()) || !r.At.Equal(newClock().Now()) ||
		strings.Contains(string(r.ReplyMarkup), "events") || !strings.Contains(string(r.ReplyMarkup), "articles") {
		t.Errorf("record = %+v", r)
	}
	if all := s.AllMessages(); len(all) != 1 || all[0].Edits != 1 || all[0].Text != r.Text {
		t.Errorf("AllMessages = %+v", all)
	}
	if e := s.Edited(hoa.ID); len(e) != 1 || e[0].MessageID != sent.MessageID {
		t.Errorf("Edited = %+v", e)
	}
	if s.Accepted() != 1 || s.Calls("editMessageText") != 1 {
		t.Errorf("accepted %d, edit calls %d", s.Accepted(), s.Calls("editMessageText"))
	}

	// Edits are not rate limited: the clock stands still, yet every edit and
	// the Request form of the call go through.
	for i, text := range []string{"một", "hai", "ba", "bốn", "năm"} {
		if _, err := bot.Request(tgbotapi.NewEditMessageText(hoa.ID, sent.MessageID, text)); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	r = s.Messages(hoa.ID)[0]
	if r.Text != "năm" || r.Edits != 6 || r.ReplyMarkup != nil || r.ParseMode != "" || len(r.Entities) != 0 {
		t.Errorf("after plain edits (which drop the keyboard): %+v", r)
	}

	// The callback query builder shows the edited message.
	up := s.CallbackQuery(hoa.ID, hoa, sent.MessageID, "articles")
	if cq := up.CallbackQuery.Message; cq.Text != "năm" || cq.EditDate != clock.Now().Unix() || cq.ReplyMarkup != nil {
		t.Errorf("callback message = %+v", cq)
	}
}

func TestEditMessageTextChanges(t *testing.T) {
	t.Parallel()
	s, bot := hoasBot(t)
	m := tgbotapi.NewMessage(hoa.ID, "<b>Tin mới</b>")
	m.ParseMode = tgbotapi.ModeHTML
	m.ReplyMarkup = keyboard("a", "b")
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	id := sent.MessageID
	editHTML := func(text string, markup *tgbotapi.InlineKeyboardMarkup) error {
		e := tgbotapi.NewEditMessageText(hoa.ID, id, text)
		e.ParseMode = tgbotapi.ModeHTML
		e.ReplyMarkup = markup
		_, err := bot.Send(e)
		return err
	}
	kb := func(data ...string) *tgbotapi.InlineKeyboardMarkup { k := keyboard(data...); return &k }

	// Same content, written differently, same keyboard: not modified.
	wantAPIError(t, editHTML("<strong>Tin mới</strong>  ", kb("a", "b")), 400, notModifiedDesc)
	// The same keyboard with its keys in another order is the same keyboard.
	_, err = bot.MakeRequest("editMessageText", tgbotapi.Params{"chat_id": tgFormat(hoa.ID), "message_id": "1",
		"text": "<b>Tin mới</b>", "parse_mode": "HTML",
		"reply_markup": `{"inline_keyboard":[[{"callback_data":"a","text":"A"},{"callback_data":"b","text":"B"}]]}`})
	wantAPIError(t, err, 400, notModifiedDesc)

	// Only the keyboard changes: accepted.
	if err := editHTML("<b>Tin mới</b>", kb("a")); err != nil {
		t.Fatalf("markup-only change: %v", err)
	}
	// Only the entities change: accepted.
	if err := editHTML("<i>Tin mới</i>", kb("a")); err != nil {
		t.Fatalf("entity-only change: %v", err)
	}
	// Dropping the keyboard (no reply_markup) is a change; an empty keyboard
	// then equals no keyboard.
	if err := editHTML("<i>Tin mới</i>", nil); err != nil {
		t.Fatalf("keyboard removal: %v", err)
	}
	wantAPIError(t, editHTML("<i>Tin mới</i>", &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}), 400, notModifiedDesc)

	// entities instead of parse_mode.
	e := tgbotapi.NewEditMessageText(hoa.ID, id, "Tin mới nhất")
	e.Entities = []tgbotapi.MessageEntity{{Type: "italic", Offset: 0, Length: 7}, {Type: "bold", Offset: 8, Length: 99}}
	got, err := bot.Send(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entities) != 2 || got.Entities[1].Length != 4 {
		t.Errorf("entities = %+v", got.Entities)
	}
	if r := s.Messages(hoa.ID)[0]; r.Edits != 4 || r.Text != "Tin mới nhất" || len(r.Entities) != 2 {
		t.Errorf("record = %+v", r)
	}
	if s.Errors(400) != 3 {
		t.Errorf("Errors(400) = %d, want 3", s.Errors(400))
	}
}

func TestEditMessageTextRejections(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 4097)
	for _, tc := range []struct {
		name   string
		setup  func(s *Server)
		params tgbotapi.Params // over chat_id=hoa, message_id=1, text="x"
		code   int
		desc   string
	}{
		{name: "not found", params: tgbotapi.Params{"message_id": "2"}, code: 400, desc: "Bad Request: message to edit not found"},
		{name: "not sent by the bot in that chat", params: tgbotapi.Params{"chat_id": tgFormat(minh.ID)}, code: 400,
			desc: "Bad Request: message to edit not found"},
		{name: "no message_id", params: tgbotapi.Params{"message_id": ""}, code: 400, desc: "Bad Request: message identifier is not specified"},
		{name: "unknown chat", params: tgbotapi.Params{"chat_id": "-777"}, code: 400, desc: "Bad Request: chat not found"},
		{name: "no chat_id", params: tgbotapi.Params{"chat_id": "", "inline_message_id": "AAA"}, code: 400, desc: "Bad Request: chat_id is empty"},
		{name: "blocked", setup: func(s *Server) { s.SetState(hoa.ID, ChatBlocked) }, code: 403, desc: "Forbidden: bot was blocked by the user"},
		{name: "not modified", params: tgbotapi.Params{"text": "Chào"}, code: 400, desc: notModifiedDesc},
		{name: "bad HTML", params: tgbotapi.Params{"text": "<b>Hà Nam & Ninh Bình</b>", "parse_mode": "HTML"}, code: 400,
			desc: `Bad Request: can't parse entities: Unescaped "&" at byte offset 11`},
		{name: "unsupported tag", params: tgbotapi.Params{"text": "<div>x</div>", "parse_mode": "HTML"}, code: 400,
			desc: `Bad Request: can't parse entities: Unsupported start tag "div" at byte offset 0`},
		{name: "bad parse mode", params: tgbotapi.Params{"parse_mode": "BBCode"}, code: 400, desc: "Bad Request: unsupported parse_mode"},
		{name: "empty", params: tgbotapi.Params{"text": " \n "}, code: 400, desc: "Bad Request: message text is empty"},
		{name: "too long", params: tgbotapi.Params{"text": long}, code: 400, desc: "Bad Request: message is too long"},
		{name: "bad entities", params: tgbotapi.Params{"entities": "{"}, code: 400, desc: "Bad Request: can't parse entities JSON object"},
		{name: "bad reply markup", params: tgbotapi.Params{"text": "y", "reply_markup": "{nope"}, code: 400,
			desc: "Bad Request: can't parse reply keyboard markup JSON object"},
		{name: "reply keyboard", params: tgbotapi.Params{"text": "y", "reply_markup": `{"keyboard":[[{"text":"a"}]]}`}, code: 400,
			desc: "Bad Request: inline keyboard expected"},
		{name: "message with a reply keyboard", params: tgbotapi.Params{"message_id": "2", "text": "y"}, code: 400,
			setup: func(s *Server) {
				m := tgbotapi.NewMessage(hoa.ID, "Menu")
				m.ReplyMarkup = tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButton("a")))
				bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client())
				if err == nil {
					_, err = bot.Send(m)
				}
				if err != nil {
					panic(err)
				}
			},
			desc: "Bad Request: message can't be edited"},
		{name: "scripted", setup: func(s *Server) { s.ScriptMethod("editMessageText", TooManyRequests(7)) }, code: 429,
			desc: "Too Many Requests: retry after 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t, Unthrottled())
			s.AddChat(Chat{ID: hoa.ID, Type: Private})
			s.AddChat(Chat{ID: minh.ID, Type: Private})
			bot := newBot(t, s)
			if _, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "Chào")); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(s)
			}
			before := s.Messages(hoa.ID)
			p := tgbotapi.Params{"chat_id": tgFormat(hoa.ID), "message_id": "1", "text": "x"}
			for k, v := range tc.params {
				p[k] = v
			}
			_, err := bot.MakeRequest("editMessageText", p)
			wantAPIError(t, err, tc.code, tc.desc)
			after := s.Messages(hoa.ID)
			for i := range after {
				if after[i].Edits != 0 || after[i].Text != before[i].Text {
					t.Errorf("a rejected edit changed the record: %+v", after[i])
				}
			}
			if s.Errors(tc.code) != 1 {
				t.Errorf("Errors(%d) = %d", tc.code, s.Errors(tc.code))
			}
		})
	}
}

// A sendMessage rejection and an editMessageText rejection of the same text
// read the same.
func TestEditMessageTextSameTextRulesAsSend(t *testing.T) {
	t.Parallel()
	s, bot := hoasBot(t)
	if _, err := bot.Send(tgbotapi.NewMessage(hoa.ID, "x")); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"<b>a", "a & b", "<a href=\"x\">", "", strings.Repeat("😀", 2049)} {
		m := tgbotapi.NewMessage(hoa.ID, text)
		m.ParseMode = tgbotapi.ModeHTML
		_, sendErr := bot.Send(m)
		e := tgbotapi.NewEditMessageText(hoa.ID, 1, text)
		e.ParseMode = tgbotapi.ModeHTML
		_, editErr := bot.Send(e)
		if sendErr == nil || editErr == nil || sendErr.Error() != editErr.Error() {
			t.Errorf("%.12q: send %v, edit %v", text, sendErr, editErr)
		}
	}
	if e := s.Edited(hoa.ID); len(e) != 0 {
		t.Errorf("a rejected edit was recorded: %+v", e)
	}
}
