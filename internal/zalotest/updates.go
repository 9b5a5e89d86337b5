package zalotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushLocked(append([]byte(nil), body...))
}

func (s *Server) pushLocked(body []byte) {
	s.queueSeq++
	s.queue = append(s.queue, queued{seq: s.queueSeq, update: body})
	s.changed.Notify()
}

// PendingUpdates is the number of queued updates not yet served (getUpdates)
// or delivered (webhook).
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// WaitUpdatesDrained waits until no update is pending.
func (s *Server) WaitUpdatesDrained(ctx context.Context) error {
	return s.WaitFor(ctx, func() bool { return s.PendingUpdates() == 0 })
}

// LongPolls is the number of getUpdates requests waiting for an update now.
func (s *Server) LongPolls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

// ExpirePolls makes every waiting getUpdates time out now (408), as if its
// timeout had elapsed, so a test need not wait for it.
func (s *Server) ExpirePolls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.expire)
	s.expire = make(chan struct{})
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
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p params) {
	timeout := 30 * time.Second
	if p.has("timeout") {
		n, err := strconv.ParseInt(strings.TrimSpace(p.get("timeout")), 10, 64)
		if err != nil || n < 0 {
			s.badRequest(w, "timeout must be a whole number of seconds")
			return
		}
		timeout = time.Duration(n) * time.Second
	}
	if limit := s.opts.MaxPollTimeout; limit > 0 && timeout > limit {
		timeout = limit
	}
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	waiting := false
	// leaveLocked stops counting this request as waiting, before it answers: a test
	// that sees LongPolls() == 1 must be seeing the poll that will take its update or
	// its ExpirePolls, not one that is already on its way out.
	leaveLocked := func() {
		if waiting {
			waiting = false
			s.waiting--
			s.changed.Notify()
		}
	}
	defer func() {
		if waiting { // returns that happen without the lock
			s.mu.Lock()
			leaveLocked()
			s.mu.Unlock()
		}
	}()
	s.mu.Lock()
	for {
		if s.webhook.url != "" && !s.opts.QuietWhileWebhook {
			leaveLocked()
			s.mu.Unlock()
			s.writeError(w, http.StatusConflict, webhookActive, nil)
			return
		}
		if len(s.queue) > 0 && s.webhook.url == "" {
			q := s.queue[0]
			s.queue = s.queue[1:]
			s.changed.Notify()
			leaveLocked()
			s.mu.Unlock()
			writeBody(w, http.StatusOK, okEnvelope(q.update))
			return
		}
		if timeout <= 0 {
			leaveLocked()
			s.mu.Unlock()
			s.writeError(w, http.StatusRequestTimeout, requestTimeout, nil)
			return
		}
		if !waiting {
			waiting = true
			s.waiting++
			s.changed.Notify()
		}
		changed, expire := s.changed.C(), s.expire
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			timeout = 0
		case <-expire:
			timeout = 0
		case <-r.Context().Done():
			return
		case <-s.srv.Done():
			return
		}
		s.mu.Lock()
	}
}

// webhookLoop posts queued updates to the webhook, one at a time and in
// order, while one is set. A delivery counts when the webhook answers 2xx;
// otherwise it is retried after a short backoff (or sooner when something
// changes), so a client sees redeliveries. The platform does not document its
// retry policy; this one keeps tests quick.
func (s *Server) webhookLoop() {
	backoff := time.Duration(0)
	for {
		s.mu.Lock()
		hook := s.webhook
		var next queued
		ready := hook.url != "" && len(s.queue) > 0
		if ready {
			next = s.queue[0]
		}
		changed := s.changed.C()
		s.mu.Unlock()
		if !ready {
			select {
			case <-changed:
				continue
			case <-s.srv.Done():
				return
			}
		}
		err := s.post(hook, next.update)
		s.mu.Lock()
		if err == nil {
			s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return q.seq == next.seq })
			s.hookPosts++
			backoff = 0
		} else {
			backoff = min(max(2*backoff, 20*time.Millisecond), time.Second)
		}
		if s.webhook.url == hook.url {
			s.webhook.lastError = ""
			if err != nil {
				s.webhook.lastError = err.Error()
			}
		}
		s.changed.Notify()
		changed = s.changed.C()
		s.mu.Unlock()
		if err != nil {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-changed:
			case <-s.srv.Done():
				t.Stop()
				return
			}
			t.Stop()
		}
	}
}

// post sends one update to the webhook with the secret header.
func (s *Server) post(hook webhookState, update []byte) error {
	body := update
	if s.opts.WrappedWebhook && !s.opts.BareWebhook {
		body = okEnvelope(update)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.srv.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Bot-Api-Secret-Token", hook.secret)
	resp, err := s.opts.WebhookClient.Do(req)
	if err != nil {
		return fmt.Errorf("webhook unreachable: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messageLocked(chatID, userID, name)
	if event == EventSticker {
		m.Sticker = "0e078a2fb66a5f34067b"
	}
	return Update{EventName: event, Message: m}
}
