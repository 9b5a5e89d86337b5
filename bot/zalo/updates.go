package zalo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/broadcast"
	"loa/chat"
)

// eventText is the event of a text message, the only one loa acts on. Images,
// stickers and event names added later are skipped.
const eventText = "message.text.received"

// The Bot API's update, reduced to the fields loa reads and parsed leniently: ids may
// come as strings or numbers, the sender's name as display_name or name, dates (Unix
// milliseconds) as numbers or strings.
type (
	zUpdate struct {
		EventName string    `json:"event_name"`
		Message   *zMessage `json:"message"`
	}
	zMessage struct {
		From      *zUser          `json:"from"`
		Chat      *zChat          `json:"chat"`
		Text      json.RawMessage `json:"text"`
		MessageID flexString      `json:"message_id"`
		Date      flexInt         `json:"date"`
	}
	zUser struct {
		ID          flexString      `json:"id"`
		DisplayName string          `json:"display_name"`
		Name        string          `json:"name"`
		IsBot       json.RawMessage `json:"is_bot"`
	}
	zChat struct {
		ID          flexString `json:"id"`
		ChatType    string     `json:"chat_type"`
		Title       string     `json:"title"`
		DisplayName string     `json:"display_name"`
		Name        string     `json:"name"`
	}
)

func (u *zUser) name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Name
}

// errSkip marks an update that is well formed but says nothing loa acts on.
var errSkip = errors.New("nothing for the bot")

// errNoChatType marks a text message whose chat has no chat_type. Zalo's updates
// always carry one; without it loa cannot tell a group from a private chat, and
// taking a group for a private chat would let any member subscribe it, so the update
// is ignored (never handled as private) and the admins are told (see inbound).
var errNoChatType = errors.New("message without a chat_type")

// parseUpdate turns one Zalo update into a bot.Update, with its message_id ("" when it
// has none). It returns errSkip for an update loa does not act on (another event, a
// message without text, a bot's message, an unknown kind of chat), errNoChatType for
// a message whose chat has no chat_type, and another error for a malformed one.
func parseUpdate(raw []byte) (msgID string, u bot.Update, err error) {
	var zu zUpdate
	if err := json.Unmarshal(raw, &zu); err != nil {
		return "", u, fmt.Errorf("decode update: %w", err)
	}
	u.Chat.Channel = chat.Zalo
	m := zu.Message
	if m != nil {
		msgID = string(m.MessageID)
		u.ID = msgID
	}
	switch {
	case zu.EventName != "" && zu.EventName != eventText:
		return msgID, u, errSkip
	case m == nil:
		return "", u, errors.New("update without a message")
	case m.Chat == nil || m.Chat.ID == "":
		return msgID, u, errors.New("message without a chat")
	}
	if m.From != nil {
		if string(m.From.IsBot) == "true" {
			return msgID, u, errSkip // never answer a bot, ourselves included
		}
		u.From = bot.User{ID: string(m.From.ID), Name: m.From.name()}
	}
	switch strings.ToUpper(m.Chat.ChatType) {
	case "":
		return msgID, u, errNoChatType
	case "PRIVATE":
		u.Chat.Address, u.Chat.Kind, u.Chat.Title = string(m.Chat.ID), chat.KindPrivate, u.From.Name
	case "GROUP":
		u.Chat.Address, u.Chat.Kind = string(m.Chat.ID), chat.KindGroup
	default:
		return msgID, u, errSkip
	}
	for _, t := range []string{m.Chat.Title, m.Chat.DisplayName, m.Chat.Name} {
		if t != "" {
			u.Chat.Title = t
			break
		}
	}
	if u.From.ID == "" && u.Chat.Kind == "private" {
		u.From.ID = u.Chat.Address // in a private chat the chat id is the user's
	}
	// A text that is not a JSON string (a number, an object) is no text message.
	if len(m.Text) > 0 && m.Text[0] == '"' {
		if err := json.Unmarshal(m.Text, &u.Text); err != nil {
			return msgID, u, fmt.Errorf("decode text: %w", err)
		}
	}
	if strings.TrimSpace(u.Text) == "" {
		return msgID, u, errSkip
	}
	return msgID, u, nil
}

// updatesIn returns the updates in a body: the update itself, or, wrapped in the
// Bot API envelope {"ok":true,"result":...}, its result (one update, or a list of
// them; null for none). The webhook samples in Zalo's documentation use the envelope;
// bare updates are accepted as well.
func updatesIn(body []byte) ([]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	result, wrapped := obj["result"]
	_, hasEvent := obj["event_name"]
	_, hasMessage := obj["message"]
	if !wrapped || hasEvent || hasMessage {
		return []json.RawMessage{body}, nil
	}
	if ok, found := obj["ok"]; found && string(ok) != "true" {
		return nil, errors.New("an envelope with ok other than true")
	}
	return resultUpdates(result)
}

// resultUpdates reads a result that holds one update, a list of them, or nothing.
func resultUpdates(result json.RawMessage) ([]json.RawMessage, error) {
	result = bytes.TrimSpace(result)
	switch {
	case len(result) == 0, string(result) == "null":
		return nil, nil
	case result[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(result, &list); err != nil {
			return nil, fmt.Errorf("decode result: %w", err)
		}
		return list, nil
	case result[0] == '{':
		return []json.RawMessage{result}, nil
	}
	return nil, errors.New("result is not an update")
}

// Parse turns a stored update into a bot.Update (for bot/inbox.Worker).
func (c *Client) Parse(payload []byte) (bot.Update, error) {
	_, u, err := parseUpdate(payload)
	if u.ID == "" {
		u.ID = digestID(payload)
	}
	return u, err
}

// digestID names an update without a message_id by its content, so that the same
// update delivered twice is still recognised.
func digestID(payload []byte) string {
	sum := sha256.Sum256(payload)
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// inbound reads a received update for the inbox: its id and its chat. It returns an
// error only for a malformed update, which it logs; an update loa does not act on is
// not stored (ok false, logged at debug level). A message without a chat_type is not
// stored either (it is no malformed request: a webhook still answers 200), and the
// first one this client sees raises an alert for the admins.
func (c *Client) inbound(ctx context.Context, raw []byte) (in botapi.Inbound, ok bool, err error) {
	id, u, err := parseUpdate(raw)
	log := c.log.With(slog.String("message_id", id))
	switch {
	case errors.Is(err, errSkip):
		log.Debug("update skipped")
		return in, false, nil
	case errors.Is(err, errNoChatType):
		log.Warn("update without chat_type ignored: loa cannot tell a group from a private chat")
		c.alertOnce(ctx, &c.noChatTypeAlerted, alertNoChatType,
			"Zalo gửi tin nhắn không có chat_type: loa không phân biệt được nhóm với chat riêng nên đã bỏ qua. "+
				"Kiểm tra lại Zalo Bot Platform có đổi định dạng không.")
		return in, false, nil
	case err != nil:
		log.Warn("malformed update skipped", slog.String("error", err.Error()), slog.Int("bytes", len(raw)))
		return in, false, err
	}
	if id == "" {
		id = digestID(raw)
	}
	return botapi.Inbound{ID: id, Chat: u.Chat.Address, Payload: raw}, true, nil
}

// CarryOut does what the bot answered, as far as Zalo can: an Edit (Zalo cannot edit
// a message) is sent as a new message, then the Replies in order (an announcement's
// preview before its caption), as plain text split like broadcasts. Buttons are
// dropped (Zalo has no inline keyboards; the bot sends text menus on Zalo),
// CallbackText has nothing to answer (no buttons, no callbacks), and Leave is ignored:
// the Bot API has no method to leave a chat. Failures are logged: the member can ask
// again.
func (c *Client) CarryOut(ctx context.Context, u bot.Update, resp bot.Response) {
	log := c.log.With(slog.String("message_id", u.ID), slog.String("chat_id", u.Chat.Address))
	msgs := resp.Replies
	if resp.Edit != nil {
		edit := *resp.Edit
		edit.Preview = nil // a preview goes with new replies only
		msgs = append([]bot.Reply{edit}, msgs...)
	}
	for _, r := range msgs {
		if err := c.reply(ctx, u.Chat, r); err != nil {
			botapi.Warn(ctx, log, "send reply", err)
			break // keep the replies in order: after a failure, stop
		}
	}
	if resp.Leave {
		log.Info("the bot was asked to leave the chat, which Zalo's Bot API cannot do")
	}
}

// reply sends a plain-text reply, split like broadcasts when longer than a message. A
// reply with a Preview first sends the preview exactly as members will receive it
// (Render), then the text as its caption.
func (c *Client) reply(ctx context.Context, chat chat.Chat, r bot.Reply) error {
	var parts []string
	if r.Preview != nil {
		parts = c.Render(*r.Preview)
	}
	for _, part := range append(parts, split(r.Text, MaxTextLength)...) {
		if err := c.paced(ctx, chat, sendParams{ChatID: chat.Address, Text: part}); err != nil {
			return err
		}
	}
	return nil
}

// paced sends to a chat no sooner than its spacing after the previous reply from this
// client, in a slot of the channel's shared rate, and retries once after a 429,
// waiting its retry hint, else botapi.DefaultRetryAfter, which also pauses the channel (see
// botapi.Pacer.DoSpaced).
func (c *Client) paced(ctx context.Context, chat chat.Chat, p sendParams) error {
	return c.pace.DoSpaced(ctx, chat.Address, broadcast.ChatSpacing(chat.Kind), c.sleep, func() error {
		_, err := c.call(ctx, "sendMessage", p, c.callTimeout)
		return err
	}, botapi.RateLimited)
}

// newPacer spaces the replies to each chat, taking slots of shared when set.
func newPacer(now func() time.Time, shared botapi.SharedRate) *botapi.Pacer {
	p := botapi.NewPacer(now, broadcast.DefaultChatSpacing)
	p.Shared = shared
	return p
}

// minIdlePoll: an idle poll (408) that came back sooner than this is followed by a
// pause of this length, so a server that ignores the timeout is not polled in a tight
// loop.
const minIdlePoll = time.Second

// Poll receives updates by long polling until ctx ends and stores each in the inbox
// as soon as getUpdates returns it; workers handle it (bot/inbox). Zalo has no
// offsets: an update is gone from Zalo once served, so the inbox is what keeps it. An
// update the inbox refuses (the database is down) is held and stored again with
// backoff before the next poll; only one still unstored when ctx ends is lost, and
// logged. It first deletes any webhook (with one set, getUpdates does not work). An
// idle poll (408) is not an error. Failed calls are retried with exponential backoff
// (1 s doubling to 30 s) or after a 429's hint. It returns nil when ctx ends, and an
// error only when Zalo rejects the token (401). Meanwhile it checks for a webhook
// every WebhookCheckEvery (see watchWebhook).
func (c *Client) Poll(ctx context.Context, in botapi.Inbox) error {
	if err := botapi.Retry(ctx, c.log, "delete webhook before polling", c.DeleteWebhook, tokenRejected, c.sleep); err != nil || ctx.Err() != nil {
		return err
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); c.watchWebhook(wctx) }()
	defer func() { stopWatch(); <-watched }()
	var bo botapi.Backoff
	for ctx.Err() == nil {
		began := time.Now()
		updates, err := c.getUpdates(ctx)
		var e *Error
		switch {
		case err == nil:
			bo = botapi.Backoff{}
			var us []botapi.Inbound
			for _, raw := range updates {
				if u, ok, _ := c.inbound(ctx, raw); ok { // a malformed update is logged there
					us = append(us, u)
				}
			}
			if !c.keep(ctx, in, us) {
				return nil
			}
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &e) && e.Code == http.StatusRequestTimeout:
			bo = botapi.Backoff{}
			if time.Since(began) < minIdlePoll && c.sleep(ctx, minIdlePoll) != nil {
				return nil
			}
		case tokenRejected(err):
			return err
		default:
			wait := bo.Next()
			if e != nil && e.Code == http.StatusTooManyRequests {
				wait = e.Wait()
			}
			c.log.Warn("get updates", slog.String("error", err.Error()), slog.Duration("retry_in", wait))
			if e != nil && e.Code == http.StatusConflict {
				// A webhook was set meanwhile (by another deployment, or by hand).
				if err := c.DeleteWebhook(ctx); err != nil && ctx.Err() == nil {
					c.log.Warn("delete webhook", slog.String("error", err.Error()))
				}
			}
			if c.sleep(ctx, wait) != nil {
				return nil
			}
		}
	}
	return nil
}

// watchWebhook asks getWebhookInfo every webhookCheck until ctx ends and, when a
// webhook is set, warns: Zalo then hands its updates to the webhook, and polling may
// simply go quiet (the documentation promises no 409, which Poll acts on). It does
// not delete the webhook: someone set it on purpose (another deployment, a test of
// webhook mode), and only an admin can tell which should win. Each URL is logged at
// every check and alerted once (the key holds the URL, so once across replicas too).
func (c *Client) watchWebhook(ctx context.Context) {
	t := time.NewTicker(c.webhookCheck)
	defer t.Stop()
	alerted := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		url, err := c.WebhookURL(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				c.log.Warn("check for a webhook while polling", slog.String("error", err.Error()))
			}
		case url != "":
			c.log.Error("a webhook is set while loa polls: members' messages go to it, not to loa",
				slog.String("webhook_url", url))
			if c.alert != nil && !alerted[url] {
				alerted[url] = true
				c.alert(ctx, alertWebhookSet+url, "Zalo đang gửi tin nhắn của thành viên tới webhook "+url+
					", trong khi loa nhận bằng long polling: loa sẽ không nhận được gì. "+
					"Xoá webhook đó (deleteWebhook) hoặc đặt LOA_ZALO_WEBHOOK_URL cho loa.")
			}
		}
	}
}

// storeTimeout bounds one attempt to store received updates.
const storeTimeout = 10 * time.Second

// keep stores updates Zalo has served, trying again with backoff while the inbox
// refuses them: Zalo will not serve them again. It reports false when ctx ended
// first; the updates are then lost, and logged as such.
func (c *Client) keep(ctx context.Context, in botapi.Inbox, us []botapi.Inbound) bool {
	if len(us) == 0 {
		return true
	}
	var bo botapi.Backoff
	for {
		// An update in hand is stored even when ctx has just ended.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		err := in.Add(sctx, us)
		cancel()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			c.log.Error("received updates lost: the inbox refused them and polling is stopping",
				slog.Int("updates", len(us)), slog.String("error", err.Error()))
			return false
		}
		wait := bo.Next()
		c.log.Error("store received updates", slog.Int("updates", len(us)), slog.String("error", err.Error()),
			slog.Duration("retry_in", wait))
		if c.sleep(ctx, wait) != nil {
			c.log.Error("received updates lost: polling stopped before the inbox took them", slog.Int("updates", len(us)))
			return false
		}
	}
}

// getUpdates long-polls for one update and returns it, undecoded (none when the
// result is empty).
func (c *Client) getUpdates(ctx context.Context) ([]json.RawMessage, error) {
	params := map[string]string{"timeout": strconv.Itoa(int(c.pollTimeout / time.Second))}
	raw, err := c.call(ctx, "getUpdates", params, c.pollTimeout+botapi.PollGrace)
	if err != nil {
		return nil, err
	}
	updates, err := resultUpdates(raw)
	if err != nil {
		return nil, &Error{Channel: chat.Zalo, Method: "getUpdates", HTTPStatus: http.StatusOK, Err: err}
	}
	return updates, nil
}
