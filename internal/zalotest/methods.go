package zalotest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// MaxTextLength is the documented limit of a message's text and a photo's
// caption, in characters (counted as Unicode code points).
const MaxTextLength = 2000

// methods is the dispatch table, keyed by the exact method name.
func (s *Server) methods() map[string]handler {
	m := map[string]handler{}
	add := func(name string, fn func(*Server, http.ResponseWriter, *http.Request, params)) {
		m[name] = handler{name: name, fn: fn}
	}
	add("getMe", (*Server).getMe)
	add("getUpdates", (*Server).getUpdates)
	add("setWebhook", (*Server).setWebhook)
	add("deleteWebhook", (*Server).deleteWebhook)
	add("getWebhookInfo", (*Server).getWebhookInfo)
	add("sendMessage", (*Server).sendMessage)
	add("sendPhoto", (*Server).sendPhoto)
	add("sendChatAction", (*Server).sendChatAction)
	return m
}

func (s *Server) getMe(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeOK(w, s.opts.Bot)
}

// chatParam reads chat_id, which must be a non-empty string; desc is the
// refusal, "" when fine.
func chatParam(p params) (chatID, desc string) {
	switch {
	case !p.has("chat_id"):
		return "", "chat_id is required"
	case !p.isString("chat_id"):
		return "", "chat_id must be a string"
	}
	return p.get("chat_id"), ""
}

// checkText validates a text or caption of 1 to MaxTextLength characters.
func checkText(field, text string) string {
	if !utf8.ValidString(text) {
		return field + " must be encoded in UTF-8"
	}
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return field + " is empty; it must be 1 to 2000 characters"
	case n > MaxTextLength:
		return fmt.Sprintf("%s is too long: %d characters; it must be 1 to 2000 characters", field, n)
	}
	return ""
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, p params) {
	s.send(w, r, p, KindText)
}

func (s *Server) sendPhoto(w http.ResponseWriter, r *http.Request, p params) {
	s.send(w, r, p, KindPhoto)
}

// send implements sendMessage and sendPhoto. Order of checks: chat_id,
// scripted reply, chat (unknown, lasting failure), text or photo, rate
// limits.
func (s *Server) send(w http.ResponseWriter, r *http.Request, p params, kind string) {
	chatID, desc := chatParam(p)
	if desc != "" {
		s.badRequest(w, desc)
		return
	}
	s.mu.Lock()
	var reply *Reply
	if q := s.scripts[chatID]; len(q) > 0 {
		reply, s.scripts[chatID] = &q[0], q[1:]
	}
	s.mu.Unlock()
	if reply != nil {
		if reply.Gate != nil && !reply.Gate.Hold(r.Context(), s.srv.Done()) {
			return
		}
		if reply.failure() && !reply.Deliver {
			s.fail(w, *reply)
			return
		}
	}

	rec := SentMessage{ChatID: chatID, Kind: kind}
	var invalid string
	switch kind {
	case KindText:
		if !p.isString("text") && p.has("text") {
			invalid = "text must be a string"
		} else {
			rec.Text = p.get("text")
			invalid = checkText("text", rec.Text)
		}
	case KindPhoto:
		rec.Photo, rec.Caption = p.get("photo"), p.get("caption")
		switch {
		case !p.has("photo"):
			invalid = "photo is required"
		case !p.isString("photo") || !isHTTPURL(rec.Photo):
			invalid = "photo must be an http or https URL"
		case p.has("caption") && !p.isString("caption"):
			invalid = "caption must be a string"
		case rec.Caption != "":
			invalid = checkText("caption", rec.Caption)
		}
	}

	s.mu.Lock()
	cs := s.chats[chatID]
	switch {
	case cs == nil:
		s.mu.Unlock()
		s.fail(w, NotFound())
		return
	case cs.failure != nil:
		f := *cs.failure
		s.mu.Unlock()
		s.fail(w, f)
		return
	case invalid != "":
		s.mu.Unlock()
		s.badRequest(w, invalid)
		return
	}
	now := s.now()
	if !s.opts.Unthrottled {
		if wait := s.limiter.take(now, chatID); wait > 0 {
			s.mu.Unlock()
			s.fail(w, QuotaExceeded())
			return
		}
	}
	rec.MessageID = s.nextIDLocked(sentIDTag)
	rec.At, rec.Date = now, now.UnixMilli()
	s.sent[chatID] = append(s.sent[chatID], rec)
	s.all = append(s.all, rec)
	s.changed.Notify()
	s.mu.Unlock()

	if reply != nil && reply.Deliver && reply.failure() {
		s.fail(w, *reply)
		return
	}
	s.writeOK(w, sendResult{MessageID: rec.MessageID, Date: rec.Date})
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Documented chat actions ("upload_photo" is announced as coming soon).
var chatActions = map[string]bool{"typing": true, "upload_photo": true}

func (s *Server) sendChatAction(w http.ResponseWriter, _ *http.Request, p params) {
	chatID, desc := chatParam(p)
	if desc == "" && !chatActions[p.get("action")] {
		desc = "action must be typing or upload_photo"
	}
	s.mu.Lock()
	cs := s.chats[chatID]
	switch {
	case desc != "":
		s.mu.Unlock()
		s.badRequest(w, desc)
		return
	case cs == nil:
		s.mu.Unlock()
		s.fail(w, NotFound())
		return
	case cs.failure != nil:
		f := *cs.failure
		s.mu.Unlock()
		s.fail(w, f)
		return
	}
	s.actions = append(s.actions, ChatAction{ChatID: chatID, Action: p.get("action"), At: s.now()})
	s.changed.Notify()
	s.mu.Unlock()
	s.writeOK(w, nil) // documented answer: {"ok":true}, no result
}

// webhookState is the webhook configuration and its delivery status.
type webhookState struct {
	url, secret string
	updatedAt   int64 // Unix ms of the last setWebhook or deleteWebhook
	lastError   string
}

// setWebhook requires url and secret_token, as documented. The secret must be
// 8 to 256 characters (documented). The URL must be https (documented), but
// plain http is accepted for loopback hosts so a test can point the webhook
// at an httptest server.
func (s *Server) setWebhook(w http.ResponseWriter, _ *http.Request, p params) {
	raw, secret := p.get("url"), p.get("secret_token")
	n := utf8.RuneCountInString(secret)
	switch {
	case !p.has("url"):
		s.badRequest(w, "url is required")
		return
	case !p.has("secret_token"):
		s.badRequest(w, "secret_token is required")
		return
	case !validWebhookURL(raw):
		s.badRequest(w, "url must be an HTTPS URL")
		return
	case n < 8 || n > 256:
		s.badRequest(w, "secret_token must be 8 to 256 characters")
		return
	}
	s.mu.Lock()
	s.webhook = webhookState{url: raw, secret: secret, updatedAt: s.now().UnixMilli()}
	info := WebhookInfo{URL: raw, UpdatedAt: s.webhook.updatedAt}
	s.changed.Notify()
	s.mu.Unlock()
	s.writeOK(w, info)
}

func validWebhookURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	if u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) deleteWebhook(w http.ResponseWriter, _ *http.Request, _ params) {
	s.mu.Lock()
	s.webhook = webhookState{updatedAt: s.now().UnixMilli()}
	info := WebhookInfo{UpdatedAt: s.webhook.updatedAt}
	s.changed.Notify()
	s.mu.Unlock()
	s.writeOK(w, info)
}

func (s *Server) getWebhookInfo(w http.ResponseWriter, _ *http.Request, _ params) {
	s.mu.Lock()
	info := WebhookInfo{URL: s.webhook.url, UpdatedAt: s.webhook.updatedAt}
	s.mu.Unlock()
	s.writeOK(w, info)
}

// Webhook returns the webhook URL and secret set by the client ("" when none)
// and the last delivery error ("" after a success).
func (s *Server) Webhook() (url, secret, lastError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret, s.webhook.lastError
}

// WebhookDeliveries is the number of updates the webhook accepted (2xx).
func (s *Server) WebhookDeliveries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hookPosts
}

// Recording.

// Messages returns what chatID received, in order.
func (s *Server) Messages(chatID string) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.sent[chatID]...)
}

// AllMessages returns every accepted message, in order of acceptance.
func (s *Server) AllMessages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.all...)
}

// ChatActions returns the accepted sendChatAction calls to chatID, in order.
func (s *Server) ChatActions(chatID string) []ChatAction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChatAction
	for _, a := range s.actions {
		if a.ChatID == chatID {
			out = append(out, a)
		}
	}
	return out
}

// Accepted is the number of messages (texts and photos) accepted.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.all)
}

// Count429 is the number of 429 answers given (rate limits and scripted).
func (s *Server) Count429() int { return s.Errors(http.StatusTooManyRequests) }

// Errors is the number of error answers with the given error code.
func (s *Server) Errors(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errors[code]
}

// Calls is the number of calls of a method (exact name) with the right token,
// including failed ones and those refused while the token was revoked.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// WaitMessages waits until chatID has received at least n messages and
// returns them, or returns ctx's error.
func (s *Server) WaitMessages(ctx context.Context, chatID string, n int) ([]SentMessage, error) {
	var got []SentMessage
	err := s.WaitFor(ctx, func() bool {
		got = s.Messages(chatID)
		return len(got) >= n
	})
	return got, err
}

// WaitAccepted waits until at least n messages were accepted in total.
func (s *Server) WaitAccepted(ctx context.Context, n int) error {
	return s.WaitFor(ctx, func() bool { return s.Accepted() >= n })
}

// Message ids look like the platform's: 20 hexadecimal digits. The tag keeps
// ids of sent and received messages apart.
const (
	sentIDTag     = 0x5e47
	receivedIDTag = 0x7ec0
)

func (s *Server) nextIDLocked(tag uint16) string {
	s.msgSeq++
	return fmt.Sprintf("%04x%016x", tag, s.msgSeq*0x9e3779b1)
}
