package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"loa/bot"
	"loa/bot/botapi"
)

// Handler answers one update; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, u bot.Update) bot.Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, u bot.Update) bot.Response

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, u bot.Update) bot.Response { return f(ctx, u) }

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

// parseUpdate turns one Zalo update into a bot.Update, with its message_id ("" when it
// has none). It returns errSkip for an update loa does not act on (another event, a
// message without text, a bot's message, an unknown kind of chat) and another error
// for a malformed one.
func parseUpdate(raw []byte) (msgID string, u bot.Update, err error) {
	var zu zUpdate
	if err := json.Unmarshal(raw, &zu); err != nil {
		return "", u, fmt.Errorf("decode update: %w", err)
	}
	u.Channel = "zalo"
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
	case "", "PRIVATE":
		u.Chat = bot.Chat{Address: string(m.Chat.ID), Kind: "private", Title: u.From.Name}
	case "GROUP":
		u.Chat = bot.Chat{Address: string(m.Chat.ID), Kind: "group"}
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

// handleRaw parses one update, lets h answer it and carries the answer out. It
// returns an error only for a malformed update, which it logs; skipped and duplicate
// updates are logged at debug level. A panicking handler is logged.
func (c *Client) handleRaw(ctx context.Context, h Handler, raw []byte) error {
	id, u, err := parseUpdate(raw)
	log := c.log.With(slog.String("message_id", id))
	switch {
	case errors.Is(err, errSkip):
		log.Debug("update skipped")
		return nil
	case err != nil:
		log.Warn("malformed update skipped", slog.String("error", err.Error()), slog.Int("bytes", len(raw)))
		return err
	}
	if id != "" && !c.seen.add(id) {
		log.Debug("duplicate update skipped")
		return nil
	}
	log = log.With(slog.String("chat_id", u.Chat.Address))
	resp := c.safeHandle(ctx, log, h, u)
	c.carryOut(ctx, log, u, resp)
	return nil
}

func (c *Client) safeHandle(ctx context.Context, log *slog.Logger, h Handler, u bot.Update) (resp bot.Response) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("update handler panicked", slog.String("panic", fmt.Sprint(p)))
			resp = bot.Response{}
		}
	}()
	return h.Handle(ctx, u)
}

// carryOut does what the bot answered, as far as Zalo can: an Edit (Zalo cannot edit
// a message) is sent as a new message, then the Replies in order (an announcement's
// preview before its caption), as plain text split like broadcasts. Buttons are
// dropped (Zalo has no inline keyboards; the bot sends text menus on Zalo),
// CallbackText has nothing to answer (no buttons, no callbacks), and Leave is ignored:
// the Bot API has no method to leave a chat. Failures are logged: the member can ask
// again.
func (c *Client) carryOut(ctx context.Context, log *slog.Logger, u bot.Update, resp bot.Response) {
	msgs := resp.Replies
	if resp.Edit != nil {
		edit := *resp.Edit
		edit.Preview = nil // a preview goes with new replies only
		msgs = append([]bot.Reply{edit}, msgs...)
	}
	for _, r := range msgs {
		if err := c.reply(ctx, u.Chat.Address, r); err != nil {
			warn(ctx, log, "send reply", err)
			break // keep the replies in order: after a failure, stop
		}
	}
	if resp.Leave {
		log.Info("the bot was asked to leave the chat, which Zalo's Bot API cannot do")
	}
}

// warn logs a failed call, at debug level when it failed because ctx ended (a
// shutdown is not a failure).
func warn(ctx context.Context, log *slog.Logger, msg string, err error) {
	level := slog.LevelWarn
	if ctx.Err() != nil {
		level = slog.LevelDebug
	}
	log.Log(ctx, level, msg, slog.String("error", err.Error()))
}

// reply sends a plain-text reply, split like broadcasts when longer than a message. A
// reply with a Preview first sends the preview exactly as members will receive it
// (Render), then the text as its caption.
func (c *Client) reply(ctx context.Context, chatID string, r bot.Reply) error {
	var parts []string
	if r.Preview != nil {
		parts = c.Render(*r.Preview)
	}
	for _, part := range append(parts, split(r.Text, MaxTextLength)...) {
		if err := c.paced(ctx, chatID, sendParams{ChatID: chatID, Text: part}); err != nil {
			return err
		}
	}
	return nil
}

// paced sends to a chat no sooner than replySpacing after the previous reply from
// this client, and retries once after a 429, waiting its retry hint, else
// defaultRetryAfter (see botapi.Pacer.Do).
func (c *Client) paced(ctx context.Context, chatID string, p sendParams) error {
	return c.pace.Do(ctx, chatID, c.sleep, func() error {
		_, err := c.call(ctx, "sendMessage", p, c.callTimeout)
		return err
	}, rateLimited)
}

// rateLimited reports whether err is a 429, and how long to wait before trying again.
func rateLimited(err error) (time.Duration, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != http.StatusTooManyRequests {
		return 0, false
	}
	return e.retryAfter(), true
}

// replySpacing is the least time between two replies to one chat. Zalo publishes no
// per-chat limit; one a second is Telegram's, and what the engine keeps for
// broadcasts.
const replySpacing = time.Second

// newPacer spaces the replies to each chat by replySpacing.
func newPacer(now func() time.Time) *botapi.Pacer { return botapi.NewPacer(now, replySpacing) }

// dedupeSize is how many recent message ids a client remembers.
const dedupeSize = 10_000

// recentIDs remembers the last ids added, forgetting the oldest first. Zalo may hand
// an update out twice (a webhook redelivered after a slow answer, a retried poll);
// this catches that within one process. It is not shared between replicas nor kept
// across restarts: a duplicate arriving at another replica, or after a restart, is
// answered again. Commands are idempotent ("đăng ký" twice keeps the topics, "tắt 2"
// twice leaves topic 2 off), so the worst case is a repeated reply.
type recentIDs struct {
	mu   sync.Mutex
	ring []string
	next int
	set  map[string]struct{}
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{ring: make([]string, 0, n), set: make(map[string]struct{}, n)}
}

// add records id and reports whether it is new.
func (r *recentIDs) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[id]; ok {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.set[id] = struct{}{}
	return true
}

// minIdlePoll: an idle poll (408) that came back sooner than this is followed by a
// pause of this length, so a server that ignores the timeout is not polled in a tight
// loop.
const minIdlePoll = time.Second

// Poll receives updates by long polling until ctx ends, and hands each to h in order,
// one at a time. It first deletes any webhook (with one set, getUpdates does not
// work). Each getUpdates returns one update and Zalo has no offsets: an update is
// gone once served, so one that was being handled when the process died is lost (the
// member writes again). An idle poll (408) is not an error. Failed calls are retried
// with exponential backoff (1 s doubling to 30 s) or after a 429's hint. It returns nil
// when ctx ends, and an error only when Zalo rejects the token (401).
func (c *Client) Poll(ctx context.Context, h Handler) error {
	if err := botapi.Retry(ctx, c.log, "delete webhook before polling", c.DeleteWebhook, tokenRejected, c.sleep); err != nil || ctx.Err() != nil {
		return err
	}
	var bo botapi.Backoff
	for ctx.Err() == nil {
		began := time.Now()
		updates, err := c.getUpdates(ctx)
		var e *Error
		switch {
		case err == nil:
			bo = botapi.Backoff{}
			for _, raw := range updates {
				c.handleRaw(ctx, h, raw) // a malformed update is logged there
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
				wait = e.retryAfter()
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

// getUpdates long-polls for one update and returns it, undecoded (none when the
// result is empty).
func (c *Client) getUpdates(ctx context.Context) ([]json.RawMessage, error) {
	params := map[string]string{"timeout": strconv.Itoa(int(c.pollTimeout / time.Second))}
	raw, err := c.call(ctx, "getUpdates", params, c.pollTimeout+pollGrace)
	if err != nil {
		return nil, err
	}
	updates, err := resultUpdates(raw)
	if err != nil {
		return nil, &Error{Method: "getUpdates", HTTPStatus: http.StatusOK, Err: err}
	}
	return updates, nil
}
