package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"

	"loa/internal/apitest"
)

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editMessageText implements editMessageText for messages the bot sent
// (chat_id + message_id; inline_message_id is not supported). Order of checks:
// chat (unknown, migrated, state), message_id, text, reply markup, the message
// itself, "not modified". Edits are not rate limited; a per-chat Script does
// not apply to them (ScriptMethod does).
func (s *Server) editMessageText(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	cs, ok := s.chatForRequest(w, p)
	if !ok {
		return
	}
	s.core.Lock()
	st, chat := cs.state, cs.chat
	s.core.Unlock()
	if st != ChatOK {
		s.fail(w, *stateReply(st, chat.Type), chat.Type)
		return
	}
	id, idOK := p.Int("message_id")
	if !idOK || id <= 0 {
		s.badRequest(w, "message identifier is not specified")
		return
	}
	plain, entities, textErr := s.checkText(p)
	if textErr != "" {
		s.badRequest(w, textErr)
		return
	}
	markup, preview, err := checkMarkupAndPreview(p, true)
	if err != nil {
		s.badRequest(w, err.Error())
		return
	}

	s.core.Lock()
	list := s.core.SentLocked(chat.ID)
	i := len(list) - 1
	for i >= 0 && list[i].MessageID != int(id) {
		i--
	}
	if i < 0 {
		s.core.Unlock()
		s.badRequest(w, "message to edit not found")
		return
	}
	rec := &list[i]
	if hasReplyKeyboard(rec.ReplyMarkup) {
		s.core.Unlock()
		s.badRequest(w, "message can't be edited")
		return
	}
	if rec.Text == plain && sameEntities(rec.Entities, entities) &&
		bytes.Equal(normalMarkup(rec.ReplyMarkup), normalMarkup(markup)) {
		s.core.Unlock()
		s.badRequest(w, notModified)
		return
	}
	now := s.now()
	rec.Text, rec.RawText, rec.ParseMode, rec.Entities = plain, p.Get("text"), p.Get("parse_mode"), entities
	rec.ReplyMarkup, rec.LinkPreviewOptions = markup, preview
	rec.DisableWebPagePreview = p.Bool("disable_web_page_preview")
	rec.Edits++
	rec.EditedAt = now
	all := s.core.AllLocked()
	for j := len(all) - 1; j >= 0; j-- {
		if all[j].ChatID == rec.ChatID && all[j].MessageID == rec.MessageID {
			all[j] = *rec
			break
		}
	}
	s.core.NotifyLocked()
	msg := Message{
		MessageID: rec.MessageID, Date: rec.At.Unix(), EditDate: now.Unix(), Chat: chat,
		Text: plain, Entities: entities, LinkPreviewOptions: preview,
	}
	if chat.Type == Channel {
		msg.SenderChat = &msg.Chat
	} else {
		bot := s.bot
		msg.From = &bot
	}
	if rec.ThreadID != 0 {
		msg.MessageThreadID, msg.IsTopicMessage = rec.ThreadID, true
	}
	if normalMarkup(markup) != nil {
		msg.ReplyMarkup = markup
	}
	s.core.Unlock()
	s.writeOK(w, msg, "")
}

// markupKeys decodes the top level of a reply_markup, nil when it is not an
// object.
func markupKeys(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

func isInlineMarkup(raw json.RawMessage) bool {
	_, ok := markupKeys(raw)["inline_keyboard"]
	return ok
}

// hasReplyKeyboard: Telegram refuses to edit a message sent with a custom
// reply keyboard.
func hasReplyKeyboard(raw json.RawMessage) bool {
	_, ok := markupKeys(raw)["keyboard"]
	return ok
}

// normalMarkup is the message's inline keyboard in a canonical JSON form for
// comparison, nil when it has none (no markup, another kind, or no buttons).
func normalMarkup(raw json.RawMessage) []byte {
	kb, ok := markupKeys(raw)["inline_keyboard"]
	if !ok {
		return nil
	}
	var rows [][]any
	if json.Unmarshal(kb, &rows) != nil {
		return nil
	}
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	if n == 0 {
		return nil
	}
	out, err := json.Marshal(rows) // maps marshal with sorted keys
	if err != nil {
		return nil
	}
	return out
}

func sameEntities(a, b []MessageEntity) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return reflect.DeepEqual(a, b)
}

// Edited returns the messages of chatID that were edited at least once, in
// the order they were sent.
func (s *Server) Edited(chatID int64) []SentMessage {
	s.core.Lock()
	defer s.core.Unlock()
	var out []SentMessage
	for _, m := range s.core.SentLocked(chatID) {
		if m.Edits > 0 {
			out = append(out, m)
		}
	}
	return out
}
