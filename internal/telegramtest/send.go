package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"loa/internal/apitest"
)

// SentMessage is one message a chat received, as the fake recorded it.
type SentMessage struct {
	ChatID    int64
	MessageID int
	ThreadID  int
	// Text is the plain text after entity parsing (what the member reads);
	// RawText is the text parameter as sent.
	Text      string
	RawText   string
	ParseMode string
	Entities  []MessageEntity
	// ReplyMarkup and LinkPreviewOptions are the JSON parameters as sent.
	ReplyMarkup           json.RawMessage
	LinkPreviewOptions    json.RawMessage
	DisableWebPagePreview bool
	DisableNotification   bool
	// At is the server clock's time of acceptance.
	At time.Time
	// Edits counts the successful editMessageText calls on the message;
	// EditedAt is the server clock's time of the last one. An edit replaces
	// Text, RawText, ParseMode, Entities, ReplyMarkup, LinkPreviewOptions and
	// DisableWebPagePreview; the rest stays as sent.
	Edits    int
	EditedAt time.Time
}

// sendMessage implements sendMessage. Order of checks: scripted reply, chat
// (unknown, migrated, state), text, thread, rate limits.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, p apitest.Params) {
	raw := p.Get("chat_id")
	if raw == "" {
		s.badRequest(w, "chat_id is empty")
		return
	}
	s.core.Lock()
	chatID, known := s.resolveLocked(raw)
	var reply Reply
	var scripted bool
	if known {
		reply, scripted = s.core.PopScriptLocked(chatID)
	}
	s.chatCalls[chatID]++
	var late time.Duration
	if s.opts.AnswerDelay != nil {
		late = s.opts.AnswerDelay(chatID, s.chatCalls[chatID])
	}
	s.core.Unlock()
	if scripted && reply.Late > 0 {
		late = reply.Late
	}
	if scripted {
		if reply.Gate != nil && !reply.Gate.Hold(r.Context(), s.core.Done()) {
			return
		}
		if reply.failure() && !reply.Deliver {
			s.fail(w, reply, s.chatType(chatID))
			return
		}
	}

	// Parse outside the lock; a chat error still takes precedence below.
	text := p.Get("text")
	plain, entities, textErr := s.checkText(p)
	thread, threadOK := p.Int("message_thread_id")
	markup, preview, err := checkMarkupAndPreview(p, false)
	if err != nil {
		s.badRequest(w, err.Error())
		return
	}

	s.core.Lock()
	cs := s.chats[chatID]
	switch {
	case !known || cs == nil:
		s.core.Unlock()
		s.fail(w, ChatNotFound(), "")
		return
	case cs.migratedTo != 0:
		to := cs.migratedTo
		s.core.Unlock()
		s.fail(w, Migrated(to), "")
		return
	case cs.state != ChatOK:
		st, t := cs.state, cs.chat.Type
		s.core.Unlock()
		s.fail(w, *stateReply(st, t), t)
		return
	case textErr != "":
		s.core.Unlock()
		s.badRequest(w, textErr)
		return
	case !threadOK || thread != 0 && (!cs.chat.IsForum || cs.topics[int(thread)] == ""):
		s.core.Unlock()
		s.badRequest(w, "message thread not found")
		return
	}
	now := s.now()
	if wait := s.limiter.Take(now, chatID, cs.chat.Type.isGroupLike()); wait > 0 {
		s.core.Unlock()
		s.fail(w, TooManyRequests(retryAfter(wait)), "")
		return
	}
	cs.lastMsgID++
	rec := SentMessage{
		ChatID: chatID, MessageID: cs.lastMsgID, ThreadID: int(thread),
		Text: plain, RawText: text, ParseMode: p.Get("parse_mode"), Entities: entities,
		ReplyMarkup: markup, LinkPreviewOptions: preview,
		DisableWebPagePreview: p.Bool("disable_web_page_preview"),
		DisableNotification:   p.Bool("disable_notification"),
		At:                    now,
	}
	s.core.RecordLocked(chatID, rec)
	msg := Message{
		MessageID: rec.MessageID, Date: now.Unix(), Chat: cs.chat,
		Text: plain, Entities: entities, LinkPreviewOptions: preview,
	}
	if cs.chat.Type == Channel {
		msg.SenderChat = &msg.Chat
	} else {
		bot := s.bot
		msg.From = &bot
	}
	if thread != 0 {
		msg.MessageThreadID, msg.IsTopicMessage = int(thread), true
	}
	if strings.Contains(string(markup), `"inline_keyboard"`) {
		msg.ReplyMarkup = markup // Telegram echoes inline keyboards only
	}
	s.core.Unlock()

	if late > 0 && !s.answerLate(r.Context(), late) {
		return
	}
	if scripted && reply.Deliver && reply.failure() {
		s.fail(w, reply, msg.Chat.Type)
		return
	}
	s.writeOK(w, msg, "")
}

// answerLate waits d before an accepted message is answered (Reply.Late,
// Options.AnswerDelay). It reports false when the client went away or the
// server closed first: there is nobody left to answer.
func (s *Server) answerLate(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.core.Done():
		return false
	}
}

// checkText parses the text parameter (with parse_mode, or with entities when
// there is no parse_mode) the way sendMessage and editMessageText do. textErr
// is the description after "Bad Request: ", "" when the text is accepted.
func (s *Server) checkText(p apitest.Params) (plain string, entities []MessageEntity, textErr string) {
	text := p.Get("text")
	if !utf8.ValidString(text) {
		return "", nil, "strings must be encoded in UTF-8"
	}
	var err error
	if p.Get("parse_mode") == "" && p.Has("entities") {
		if json.Unmarshal([]byte(p.Get("entities")), &entities) != nil {
			return "", nil, "can't parse entities JSON object"
		}
		entities = clipEntities(entities, UTF16Len(text))
		plain, entities = trimText(text, entities)
	} else {
		plain, entities, err = ParseText(text, p.Get("parse_mode"), !s.opts.LenientHTML)
	}
	var pe *ParseError
	switch {
	case errors.Is(err, errUnsupportedParseMode):
		return "", nil, "unsupported parse_mode"
	case errors.As(err, &pe):
		return "", nil, "can't parse entities: " + pe.Reason
	case plain == "":
		return "", nil, "message text is empty"
	case UTF16Len(plain) > MaxTextLength:
		return "", nil, "message is too long"
	}
	return plain, entities, ""
}

// clipEntities drops the entities outside a text of total UTF-16 units and
// cuts those that run past its end, as Telegram does.
func clipEntities(entities []MessageEntity, total int) []MessageEntity {
	out := entities[:0]
	for _, e := range entities {
		start, end := max(e.Offset, 0), min(e.Offset+e.Length, total)
		if e.Type == "" || end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		out = append(out, e)
	}
	return out
}

// checkLinkPreview validates link_preview_options, nil when absent.
// checkMarkupAndPreview reads the reply_markup and link_preview_options that
// sendMessage and editMessageText share (an edit takes an inline keyboard only); the
// error is the 400's description.
func checkMarkupAndPreview(p apitest.Params, inlineOnly bool) (markup, preview json.RawMessage, err error) {
	if p.Has("reply_markup") {
		if markup, err = checkReplyMarkup(p.Get("reply_markup")); err != nil {
			return nil, nil, err
		}
		if inlineOnly && !isInlineMarkup(markup) {
			return nil, nil, errors.New("inline keyboard expected")
		}
	}
	preview, err = checkLinkPreview(p)
	return markup, preview, err
}

func checkLinkPreview(p apitest.Params) (json.RawMessage, error) {
	if !p.Has("link_preview_options") {
		return nil, nil
	}
	raw := p.Get("link_preview_options")
	if !json.Valid([]byte(raw)) || !strings.HasPrefix(strings.TrimSpace(raw), "{") {
		return nil, errors.New("can't parse link preview options JSON object")
	}
	return json.RawMessage(raw), nil
}

func (s *Server) chatType(id int64) ChatType {
	s.core.Lock()
	defer s.core.Unlock()
	if cs := s.chats[id]; cs != nil {
		return cs.chat.Type
	}
	return ""
}

// checkReplyMarkup validates reply_markup the way Telegram does for the
// mistakes that matter: bad JSON, inline buttons without an action, callback
// data over 64 bytes.
func checkReplyMarkup(raw string) (json.RawMessage, error) {
	var m struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, errors.New("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			var text string
			if json.Unmarshal(b["text"], &text) != nil {
				return nil, errors.New("can't parse inline keyboard button: Field \"text\" must be of type String")
			}
			if data, ok := b["callback_data"]; ok {
				var d string
				if json.Unmarshal(data, &d) != nil || len(d) == 0 || len(d) > 64 {
					return nil, errors.New("BUTTON_DATA_INVALID")
				}
				continue
			}
			action := false
			for k := range b {
				if k != "text" {
					action = true
				}
			}
			if !action {
				return nil, errors.New("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
		}
	}
	return json.RawMessage(raw), nil
}
