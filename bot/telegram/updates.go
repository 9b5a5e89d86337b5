package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/bot"
	"loa/bot/botapi"
	"loa/broadcast"
	"loa/chat"
)

// allowedUpdates are the update kinds loa asks for, polling or webhook. Edited
// messages are left out on purpose: an edited "/start" must not run twice.
var allowedUpdates = []string{"message", "channel_post", "callback_query", "my_chat_member"}

// The Bot API types, reduced to the fields loa reads. go-telegram-bot-api v5.5.1's own
// types predate forum topics (message_thread_id, is_topic_message, is_forum).
type (
	tgUpdate struct {
		UpdateID      int64                `json:"update_id"`
		Message       *tgMessage           `json:"message"`
		EditedMessage *tgMessage           `json:"edited_message"`
		ChannelPost   *tgMessage           `json:"channel_post"`
		CallbackQuery *tgCallbackQuery     `json:"callback_query"`
		MyChatMember  *tgChatMemberUpdated `json:"my_chat_member"`
	}
	tgMessage struct {
		MessageID       int64   `json:"message_id"`
		MessageThreadID int64   `json:"message_thread_id"`
		IsTopicMessage  bool    `json:"is_topic_message"`
		From            *tgUser `json:"from"`
		SenderChat      *tgChat `json:"sender_chat"`
		Chat            *tgChat `json:"chat"`
		Text            string  `json:"text"`
		MigrateToChatID int64   `json:"migrate_to_chat_id"`
	}
	tgChat struct {
		ID        int64  `json:"id"`
		Type      string `json:"type"`
		Title     string `json:"title"`
		Username  string `json:"username"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		IsForum   bool   `json:"is_forum"`
	}
	tgUser struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Username  string `json:"username"`
	}
	tgCallbackQuery struct {
		ID      string     `json:"id"`
		From    *tgUser    `json:"from"`
		Message *tgMessage `json:"message"`
		Data    string     `json:"data"`
	}
	tgChatMemberUpdated struct {
		Chat          *tgChat      `json:"chat"`
		From          *tgUser      `json:"from"`
		OldChatMember tgChatMember `json:"old_chat_member"`
		NewChatMember tgChatMember `json:"new_chat_member"`
	}
	tgChatMember struct {
		Status   string `json:"status"`
		IsMember bool   `json:"is_member"` // for "restricted"
		// CanPostMessages: an administrator of a channel may post there.
		CanPostMessages bool `json:"can_post_messages"`
		// CanSendMessages: a restricted member may still write.
		CanSendMessages bool `json:"can_send_messages"`
	}
)

// errSkip marks an update that is well formed but says nothing loa acts on.
var errSkip = errors.New("nothing for the bot")

// parseUpdate turns one Telegram update into a bot.Update. It returns errSkip for an
// update loa does not act on (an edit, a service message, a promotion) and another
// error for a malformed one.
func parseUpdate(raw []byte) (int64, bot.Update, error) {
	var tu tgUpdate
	if err := json.Unmarshal(raw, &tu); err != nil {
		// update_id is still read when a later field has the wrong type: log it.
		return tu.UpdateID, bot.Update{}, fmt.Errorf("decode update: %w", err)
	}
	u, err := convert(&tu)
	u.ID = strconv.FormatInt(tu.UpdateID, 10)
	u.Chat.Channel = chat.Telegram
	return tu.UpdateID, u, err
}

func convert(tu *tgUpdate) (bot.Update, error) {
	var u bot.Update
	switch {
	case tu.Message != nil || tu.ChannelPost != nil:
		m := tu.Message
		if m == nil {
			m = tu.ChannelPost
		}
		if m.Chat == nil || m.Chat.ID == 0 {
			return u, errors.New("message without a chat")
		}
		u.Chat = chatOf(m.Chat, m)
		switch {
		case m.From != nil:
			u.From = userOf(m.From)
		case m.SenderChat != nil: // a channel post, or an anonymous group admin
			u.From = bot.User{ID: strconv.FormatInt(m.SenderChat.ID, 10), Name: chatTitle(m.SenderChat)}
		}
		u.Text = m.Text
		if m.MigrateToChatID != 0 {
			u.MigratedTo = strconv.FormatInt(m.MigrateToChatID, 10)
		}
		if u.Text == "" && u.MigratedTo == "" {
			return u, errSkip // service messages, media without text
		}
	case tu.CallbackQuery != nil:
		q := tu.CallbackQuery
		if q.ID == "" || q.From == nil {
			return u, errors.New("callback query without id or sender")
		}
		u.From = userOf(q.From)
		u.Callback = &bot.Callback{ID: q.ID, Data: q.Data}
		if m := q.Message; m != nil && m.Chat != nil && m.Chat.ID != 0 {
			u.Chat = chatOf(m.Chat, m)
			u.Callback.MessageID = strconv.FormatInt(m.MessageID, 10)
		} else {
			// A button under an inline-mode message, or one too old to be sent:
			// still answered; anything else goes to the member privately.
			u.Chat = chat.Chat{Address: u.From.ID, Kind: chat.KindPrivate, Title: u.From.Name}
		}
	case tu.MyChatMember != nil:
		mc := tu.MyChatMember
		if mc.Chat == nil || mc.Chat.ID == 0 {
			return u, errors.New("my_chat_member without a chat")
		}
		was, is := present(mc.OldChatMember), present(mc.NewChatMember)
		could, can := canPost(mc.OldChatMember, mc.Chat.Type), canPost(mc.NewChatMember, mc.Chat.Type)
		if was == is && (!is || could == can) {
			return u, errSkip // promoted or demoted, still able to post (or not)
		}
		u.Chat = chatOf(mc.Chat, nil)
		if mc.From != nil {
			u.From = userOf(mc.From)
		}
		// Still there, but the right to post changed: a paused chat resumes on it.
		u.Membership = &bot.Membership{Added: is}
		if was && is {
			u.Membership.RightsChanged, u.Membership.CanPost = true, can
		}
	case tu.EditedMessage != nil:
		return u, errSkip
	default:
		return u, errSkip
	}
	return u, nil
}

// present reports whether a chat member status means the bot is in the chat.
func present(m tgChatMember) bool {
	switch m.Status {
	case "creator", "administrator", "member":
		return true
	case "restricted":
		return m.IsMember
	}
	return false
}

// canPost reports whether a chat member status lets the bot send messages in a chat of
// type chatType: an administrator of a channel needs can_post_messages (in a group an
// administrator always may), a restricted member can_send_messages; a plain member may
// (the group's default permissions are not in the update).
func canPost(m tgChatMember, chatType string) bool {
	switch m.Status {
	case "creator", "member":
		return true
	case "administrator":
		return chatType != "channel" || m.CanPostMessages
	case "restricted":
		return m.IsMember && m.CanSendMessages
	}
	return false
}

// chatOf converts a chat (its Channel is set by parseUpdate); m, when given, is the
// message whose topic it names.
func chatOf(c *tgChat, m *tgMessage) chat.Chat {
	ch := chat.Chat{
		Address: strconv.FormatInt(c.ID, 10),
		Kind:    chat.Kind(c.Type),
		Title:   chatTitle(c),
		IsForum: c.IsForum,
	}
	// message_thread_id is also set on replies in ordinary supergroups; only a topic
	// message names a forum topic that sendMessage can target.
	if m != nil && m.IsTopicMessage && m.MessageThreadID != 0 {
		ch.ThreadID = m.MessageThreadID
	}
	return ch
}

func chatTitle(c *tgChat) string {
	if c.Title != "" {
		return c.Title
	}
	if name := strings.TrimSpace(c.FirstName + " " + c.LastName); name != "" {
		return name
	}
	if c.Username != "" {
		return "@" + c.Username
	}
	return ""
}

func userOf(u *tgUser) bot.User {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" && u.Username != "" {
		name = "@" + u.Username
	}
	return bot.User{ID: strconv.FormatInt(u.ID, 10), Name: name}
}

// Parse turns a stored update into a bot.Update (for bot/inbox.Worker).
func (c *Client) Parse(payload []byte) (bot.Update, error) {
	_, u, err := parseUpdate(payload)
	return u, err
}

// inbound reads a received update for the inbox: its id and its chat. An update loa
// does not act on (an edit, a service message) or a malformed one (logged) is not
// stored: ok is false.
func (c *Client) inbound(raw []byte) (in botapi.Inbound, ok bool) {
	id, u, err := parseUpdate(raw)
	log := c.log.With(slog.Int64("update_id", id))
	switch {
	case errors.Is(err, errSkip):
		log.Debug("update skipped")
		return in, false
	case err != nil:
		log.Warn("malformed update skipped", slog.String("error", err.Error()), slog.Int("bytes", len(raw)))
		return in, false
	}
	return botapi.Inbound{ID: u.ID, Chat: u.Chat.Address, Payload: raw}, true
}

// CarryOut does what the bot answered, in this order: answer the pressed button
// (always, so the member's client stops its spinner), edit the message under it,
// send the replies to the update's chat and topic, leave the chat. Failures are
// logged: the member can ask again. Replies are paced for the chat (and take slots of
// the channel's shared rate): the waits hold up this chat only.
func (c *Client) CarryOut(ctx context.Context, u bot.Update, resp bot.Response) {
	log := c.log.With(slog.String("update_id", u.ID), slog.String("chat_id", u.Chat.Address))
	if u.Callback != nil {
		p := tgbotapi.Params{"callback_query_id": u.Callback.ID}
		p.AddNonEmpty("text", truncateRunes(resp.CallbackText, 200))
		if _, err := c.call(ctx, "answerCallbackQuery", p, c.callTimeout); err != nil {
			botapi.Warn(ctx, log, "answer callback query", err)
		}
	}
	if resp.Edit != nil {
		if u.Callback == nil || u.Callback.MessageID == "" {
			log.Warn("edit asked for an update without a message to edit")
		} else if err := c.edit(ctx, u.Chat, u.Callback.MessageID, *resp.Edit); err != nil {
			botapi.Warn(ctx, log, "edit message", err)
		}
	}
	for _, r := range resp.Replies {
		if err := c.reply(ctx, u.Chat, r); err != nil {
			botapi.Warn(ctx, log, "send reply", err)
			break // keep the replies in order: after a failure, stop
		}
	}
	if resp.Leave {
		if _, err := c.call(ctx, "leaveChat", tgbotapi.Params{"chat_id": u.Chat.Address}, c.callTimeout); err != nil {
			botapi.Warn(ctx, log, "leave chat", err)
		} else {
			log.Info("left chat")
		}
	}
}

// noPreview keeps command answers compact: no link previews under menus and lists.
const noPreview = `{"is_disabled":true}`

// reply sends a plain-text reply (no parse mode, so nothing needs escaping), split
// like broadcasts when longer than a message; the buttons go under its last part. A
// reply with a Preview first sends the preview as members will receive it.
func (c *Client) reply(ctx context.Context, chat chat.Chat, r bot.Reply) error {
	if r.Preview != nil {
		if err := c.preview(ctx, chat, *r.Preview); err != nil {
			return err
		}
	}
	ranges := splitText(r.Text, MaxTextLength)
	for i, rg := range ranges {
		p := messageParams(chat, r.Text[rg[0]:rg[1]])
		p["link_preview_options"] = noPreview
		if i == len(ranges)-1 {
			if err := addKeyboard(p, r.Buttons); err != nil {
				return err
			}
		}
		if err := c.paced(ctx, chat, "sendMessage", p); err != nil {
			return err
		}
	}
	return nil
}

// preview sends a broadcast's content to an admin exactly as Send sends it to members:
// rendered as Telegram HTML, in parts, link previews as Telegram shows them.
func (c *Client) preview(ctx context.Context, chat chat.Chat, content broadcast.Content) error {
	for _, part := range c.Render(content) {
		if err := c.paced(ctx, chat, "sendMessage", htmlParams(chat, part)); err != nil {
			return err
		}
	}
	return nil
}

// edit replaces the text and keyboard of the bot's message msgID; no buttons removes
// the keyboard. "message is not modified" (the same text again) is not a failure.
func (c *Client) edit(ctx context.Context, chat chat.Chat, msgID string, r bot.Reply) error {
	text := r.Text
	if rg := splitText(text, MaxTextLength); len(rg) > 0 {
		text = text[rg[0][0]:rg[0][1]] // an edit is one message: keep what fits
	}
	p := tgbotapi.Params{
		"chat_id":              chat.Address,
		"message_id":           msgID,
		"text":                 text,
		"link_preview_options": noPreview,
	}
	if err := addKeyboard(p, r.Buttons); err != nil {
		return err
	}
	err := c.paced(ctx, chat, "editMessageText", p)
	var e *Error
	if errors.As(err, &e) && e.Code == http.StatusBadRequest && strings.Contains(e.Description, "message is not modified") {
		return nil
	}
	return err
}

// addKeyboard sets reply_markup to an inline keyboard of callback buttons.
func addKeyboard(p tgbotapi.Params, rows [][]bot.Button) error {
	type button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
	}
	var kb struct {
		InlineKeyboard [][]button `json:"inline_keyboard"`
	}
	for _, row := range rows {
		var out []button
		for _, b := range row {
			out = append(out, button{Text: b.Text, CallbackData: b.Data})
		}
		if len(out) > 0 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, out)
		}
	}
	if len(kb.InlineKeyboard) == 0 {
		return nil
	}
	if err := p.AddInterface("reply_markup", kb); err != nil {
		return fmt.Errorf("encode keyboard: %w", err)
	}
	return nil
}

// paced makes a call to a chat no sooner than its spacing after the previous one from
// this client, in a slot of the channel's shared rate, and retries it once after a
// 429's retry_after, which also pauses the channel (see botapi.Pacer.DoSpaced).
func (c *Client) paced(ctx context.Context, chat chat.Chat, method string, p tgbotapi.Params) error {
	return c.pace.DoSpaced(ctx, chat.Address, broadcast.ChatSpacing(chat.Kind), c.sleep, func() error {
		_, err := c.call(ctx, method, p, c.callTimeout)
		return err
	}, botapi.RateLimited)
}

// newPacer spaces the replies to each chat by the engine's pace for a private chat.
func newPacer(now func() time.Time) *botapi.Pacer {
	return botapi.NewPacer(now, broadcast.DefaultChatSpacing)
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Poll receives updates by long polling until ctx ends and stores each batch in the
// inbox before the next getUpdates confirms it (its offset), so an update is never
// acknowledged before it is durable; workers handle them (bot/inbox). It first deletes
// any webhook (with one set, getUpdates fails with 409). A batch the inbox refuses
// (the database is down) is not confirmed: it is fetched again after a backoff. Failed
// calls are retried with exponential backoff (1 s doubling to 30 s) or after a 429's
// retry_after. It returns nil when ctx ends, and an error only when Telegram rejects
// the token.
func (c *Client) Poll(ctx context.Context, in botapi.Inbox) error {
	if err := botapi.Retry(ctx, c.log, "delete webhook before polling", c.deleteWebhook, tokenRejected, c.sleep); err != nil || ctx.Err() != nil {
		return err
	}
	var bo, storeBo botapi.Backoff
	var offset, confirmed int64
	defer func() {
		if offset > confirmed {
			c.confirm(ctx, offset)
		}
	}()
	for ctx.Err() == nil {
		batch, err := c.getUpdates(ctx, offset, botapi.PollTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if tokenRejected(err) {
				return err
			}
			wait := bo.Next()
			var e *Error
			if errors.As(err, &e) && e.Code == http.StatusTooManyRequests {
				wait = e.Wait()
			}
			c.log.Warn("get updates", slog.String("error", err.Error()), slog.Duration("retry_in", wait))
			if errors.As(err, &e) && e.Code == http.StatusConflict && strings.Contains(e.Description, "webhook") {
				if err := c.deleteWebhook(ctx); err != nil && ctx.Err() == nil {
					c.log.Warn("delete webhook", slog.String("error", err.Error()))
				}
			}
			if c.sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		bo = botapi.Backoff{}
		confirmed = offset // this getUpdates confirmed what came before offset
		next := offset
		var us []botapi.Inbound
		for _, raw := range batch {
			var head struct {
				UpdateID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &head) == nil && head.UpdateID >= next {
				next = head.UpdateID + 1
			}
			if u, ok := c.inbound(raw); ok {
				us = append(us, u)
			}
		}
		// Stored even when ctx has just ended: these updates are in hand, and storing
		// them now spares the next poller a second fetch.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		err = in.Add(sctx, us)
		cancel()
		if err != nil {
			wait := storeBo.Next()
			c.log.Error("store received updates: not confirmed, fetched again", slog.Int("updates", len(us)),
				slog.String("error", err.Error()), slog.Duration("retry_in", wait))
			if c.sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		storeBo = botapi.Backoff{}
		offset = next
	}
	return nil
}

// storeTimeout bounds storing one batch of received updates.
const storeTimeout = 10 * time.Second

// confirm tells Telegram the updates before offset are handled, when Poll stops.
func (c *Client) confirm(ctx context.Context, offset int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	p := tgbotapi.Params{"offset": strconv.FormatInt(offset, 10), "timeout": "0", "limit": "1"}
	if _, err := c.call(ctx, "getUpdates", p, 5*time.Second); err != nil {
		c.log.Warn("confirm handled updates", slog.String("error", err.Error()))
	}
}

// getUpdates long-polls for up to timeout and returns the updates, undecoded.
func (c *Client) getUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]json.RawMessage, error) {
	p := tgbotapi.Params{
		"timeout": strconv.Itoa(int(timeout / time.Second)),
		"limit":   "100",
	}
	p.AddNonZero64("offset", offset)
	if err := p.AddInterface("allowed_updates", allowedUpdates); err != nil {
		return nil, err
	}
	raw, err := c.call(ctx, "getUpdates", p, timeout+botapi.PollGrace)
	return decode[[]json.RawMessage]("getUpdates", raw, err)
}

// tokenRejected: Telegram answered that the token is not valid (401, or 404 for an
// unknown bot); polling cannot work until the configuration changes.
func tokenRejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == http.StatusUnauthorized || e.Code == http.StatusNotFound)
}
