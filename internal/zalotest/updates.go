package zalotest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"loa/internal/apitest"
)

// queued is an update waiting for getUpdates or the webhook.
type queued struct {
	seq    uint64
	update []byte // the update object's JSON, as it will be served
}

// PushUpdate queues u for getUpdates or the webhook and returns its
// message_id. The chat of a message from a user becomes reachable (the user
// wrote to the bot). Pushing the same Update twice queues a duplicate with the
// same message_id, which a client must recognise.
func (s *Server) PushUpdate(u Update) string {
	body, err := json.Marshal(u)
	if err != nil {
		panic(fmt.Sprintf("zalotest: PushUpdate: %v", err))
	}
	s.core.Lock()
	defer s.core.Unlock()
	var id string
	if m := u.Message; m != nil {
		id = m.MessageID
		if m.Chat.ID != "" && (m.From == nil || !m.From.IsBot) && s.chats[m.Chat.ID] == nil {
			c := m.Chat
			if c.Type == "" {
				c.Type = Private
			}
			s.addChatLocked(c)
		}
	}
	s.pushLocked(body)
	return id
}

// PushRaw queues body verbatim as an update: getUpdates serves it as the
// result, the webhook posts it (bare unless WrappedWebhook). It
// registers no chat. Use it for malformed or unusual payloads; a body that is
// not JSON makes getUpdates' whole answer unparseable, on purpose.
func (s *Server) PushRaw(body []byte) {
	s.core.Lock()
	defer s.core.Unlock()
	s.pushLocked(append([]byte(nil), body...))
}

func (s *Server) pushLocked(body []byte) {
	s.queueSeq++
	s.queue = append(s.queue, queued{seq: s.queueSeq, update: body})
	s.core.NotifyLocked()
}

// PendingUpdates is the number of queued updates not yet served (getUpdates)
// or delivered (webhook).
func (s *Server) PendingUpdates() int {
	s.core.Lock()
	defer s.core.Unlock()
	return len(s.queue)
}

// WaitUpdatesDrained waits until no update is pending.
func (s *Server) WaitUpdatesDrained(ctx context.Context) error {
	return s.WaitFor(ctx, func() bool { return s.PendingUpdates() == 0 })
}

// okEnvelope wraps an update's JSON in {"ok":true,"result":...}.
func okEnvelope(update []byte) []byte {
	b := make([]byte, 0, len(update)+24)
	b = append(b, `{"ok":true,"result":`...)
	b = append(b, update...)
	return append(b, '}')
}

// getUpdates hands out one update per call, the oldest; once served it is
// gone (the platform has no offsets or acknowledgement). With nothing queued
// it waits up to timeout seconds (a string or a number; default 30, capped
// by Options.MaxPollTimeout; 0 answers at once) and then answers 408
// "Request timeout", an idle poll. Concurrent polls each get a different
// update.
//
// While a webhook is set the platform documents only that getUpdates does
// not work; the fake answers 409 "Conflict: ..." at once, and a poll waiting
// when setWebhook comes ends the same way; with QuietWhileWebhook it serves
// nothing instead, as idle polls (408).
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p apitest.Params) {
	timeout := 30 * time.Second
	if p.Has("timeout") {
		n, err := strconv.ParseInt(strings.TrimSpace(p.Get("timeout")), 10, 64)
		if err != nil || n < 0 {
			s.badRequest(w, "timeout must be a whole number of seconds")
			return
		}
		timeout = time.Duration(n) * time.Second
	}
	if limit := s.opts.MaxPollTimeout; limit > 0 && timeout > limit {
		timeout = limit
	}
	poll := s.core.StartPoll(timeout)
	defer poll.Stop()
	s.core.Lock()
	for {
		if s.webhook.url != "" && !s.opts.QuietWhileWebhook {
			poll.LeaveLocked()
			s.core.Unlock()
			s.writeError(w, http.StatusConflict, webhookActive, nil)
			return
		}
		if len(s.queue) > 0 && s.webhook.url == "" {
			q := s.queue[0]
			s.queue = s.queue[1:]
			s.core.NotifyLocked()
			poll.LeaveLocked()
			s.core.Unlock()
			apitest.WriteBody(w, http.StatusOK, contentType, okEnvelope(q.update))
			return
		}
		if poll.TimedOut() {
			poll.LeaveLocked()
			s.core.Unlock()
			s.writeError(w, http.StatusRequestTimeout, requestTimeout, nil)
			return
		}
		if poll.Wait(r.Context(), nil) != apitest.PollChanged {
			return
		}
	}
}

// webhookLoop posts queued updates to the webhook, one at a time and in
// order, while one is set. A delivery counts when the webhook answers 2xx;
// otherwise it is retried after a short backoff (or sooner when something
// changes), so a client sees redeliveries. The platform does not document its
// retry policy; this one keeps tests quick.
func (s *Server) webhookLoop() {
	s.core.RunWebhook(func() (apitest.Delivery, bool) {
		hook := s.webhook
		if hook.url == "" || len(s.queue) == 0 {
			return apitest.Delivery{}, false
		}
		next := s.queue[0]
		return apitest.Delivery{
			Post: func() error { return s.post(hook, next.update) },
			Done: func(err error) {
				if err == nil {
					s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return q.seq == next.seq })
					s.hookPosts++
				}
				if s.webhook.url == hook.url {
					s.webhook.lastError = ""
					if err != nil {
						s.webhook.lastError = err.Error()
					}
				}
			},
		}, true
	})
}

// post sends one update to the webhook with the secret header.
func (s *Server) post(hook webhookState, update []byte) error {
	body := update
	if s.opts.WrappedWebhook && !s.opts.BareWebhook {
		body = okEnvelope(update)
	}
	code, status, err := s.core.PostWebhook(s.opts.WebhookClient, hook.url,
		http.Header{"X-Bot-Api-Secret-Token": {hook.secret}}, body)
	if err != nil {
		return fmt.Errorf("webhook unreachable: %w", err)
	}
	if code < 200 || code > 299 {
		return fmt.Errorf("webhook answered %s", status)
	}
	return nil
}

// Update builders. They take message ids and dates from the server (the
// injected clock, in milliseconds) and do not queue the update (PushUpdate
// does). A chat whose id equals the user's is PRIVATE (in a private chat the
// platform uses the user's id as the chat's), any other GROUP.

func (s *Server) messageLocked(chatID, userID, name string) *Message {
	t := Private
	if chatID != userID {
		t = Group
	}
	return &Message{
		From:      &User{ID: userID, DisplayName: name},
		Chat:      Chat{ID: chatID, Type: t},
		MessageID: s.nextIDLocked(receivedIDTag),
		Date:      s.now().UnixMilli(),
	}
}

// TextMessage builds a "message.text.received" update: user userID, shown as
// name (display_name), writes text in chatID. Use Update.WithNameField for
// the "name" spelling.
func (s *Server) TextMessage(chatID, userID, name, text string) Update {
	s.core.Lock()
	defer s.core.Unlock()
	m := s.messageLocked(chatID, userID, name)
	m.Text = text
	return Update{EventName: EventText, Message: m}
}

// EventMessage builds an update with another event name and no text, e.g.
// EventSticker (with a sticker id), EventVoice, EventUnsupported or a name the
// platform may add later; clients must ignore the names they do not handle.
// The fake invents no payload the documentation does not show (a voice
// message's audio fields are not documented).
func (s *Server) EventMessage(event, chatID, userID, name string) Update {
	s.core.Lock()
	defer s.core.Unlock()
	m := s.messageLocked(chatID, userID, name)
	if event == EventSticker {
		m.Sticker = "0e078a2fb66a5f34067b"
	}
	return Update{EventName: event, Message: m}
}
