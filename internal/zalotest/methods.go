package zalotest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"unicode/utf8"

	"loa/internal/apitest"
)

// MaxTextLength is the documented limit of a message's text and a photo's
// caption, in characters (counted as Unicode code points).
const MaxTextLength = 2000

// methods is the dispatch table, keyed by the exact method name.
func (s *Server) methods() map[string]apitest.Handler {
	return map[string]apitest.Handler{
		"getMe":          s.getMe,
		"getUpdates":     s.getUpdates,
		"setWebhook":     s.setWebhook,
		"deleteWebhook":  s.deleteWebhook,
		"getWebhookInfo": s.getWebhookInfo,
		"sendMessage":    s.sendMessage,
		"sendPhoto":      s.sendPhoto,
		"sendChatAction": s.sendChatAction,
	}
}

func (s *Server) getMe(w http.ResponseWriter, _ *http.Request, _ apitest.Params) {
	s.writeOK(w, s.opts.Bot)
}

// chatParam reads chat_id, which must be a non-empty string; desc is the
// refusal, "" when fine.
func chatParam(p apitest.Params) (chatID, desc string) {
	switch {
	case !p.Has("chat_id"):
		return "", "chat_id is required"
	case !p.IsString("chat_id"):
		return "", "chat_id must be a string"
	}
	return p.Get("chat_id"), ""
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

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, p apitest.Params) {
	s.send(w, r, p, KindText)
}

func (s *Server) sendPhoto(w http.ResponseWriter, r *http.Request, p apitest.Params) {
	s.send(w, r, p, KindPhoto)
}

// send implements sendMessage and sendPhoto. Order of checks: chat_id,
// scripted reply, chat (unknown, lasting failure), text or photo, rate
// limits.
func (s *Server) send(w http.ResponseWriter, r *http.Request, p apitest.Params, kind string) {
	chatID, desc := chatParam(p)
	if desc != "" {
		s.badRequest(w, desc)
		return
	}
	s.core.Lock()
	reply, scripted := s.core.PopScriptLocked(chatID)
	s.core.Unlock()
	if scripted && !s.core.Play(w, r, reply) {
		return
	}

	rec := SentMessage{ChatID: chatID, Kind: kind}
	var invalid string
	switch kind {
	case KindText:
		if !p.IsString("text") && p.Has("text") {
			invalid = "text must be a string"
		} else {
			rec.Text = p.Get("text")
			invalid = checkText("text", rec.Text)
		}
	case KindPhoto:
		rec.Photo, rec.Caption = p.Get("photo"), p.Get("caption")
		switch {
		case !p.Has("photo"):
			invalid = "photo is required"
		case !p.IsString("photo") || !isHTTPURL(rec.Photo):
			invalid = "photo must be an http or https URL"
		case p.Has("caption") && !p.IsString("caption"):
			invalid = "caption must be a string"
		case rec.Caption != "":
			invalid = checkText("caption", rec.Caption)
		}
	}

	s.core.Lock()
	if f, refused := s.refusalLocked(chatID); refused {
		s.core.Unlock()
		s.fail(w, f)
		return
	}
	if invalid != "" {
		s.core.Unlock()
		s.badRequest(w, invalid)
		return
	}
	now := s.now()
	if wait := s.limiter.Take(now, chatID, false); wait > 0 {
		s.core.Unlock()
		s.fail(w, QuotaExceeded())
		return
	}
	rec.MessageID = s.nextIDLocked(sentIDTag)
	rec.At, rec.Date = now, now.UnixMilli()
	s.core.RecordLocked(chatID, rec)
	s.core.Unlock()

	if s.core.Delivered(w, reply, scripted) {
		return
	}
	s.writeOK(w, sendResult{MessageID: rec.MessageID, Date: rec.Date})
}

// refusalLocked is how the chat refuses every call to it, if it does: unknown, or
// set to a lasting failure.
func (s *Server) refusalLocked(chatID string) (Reply, bool) {
	switch cs := s.chats[chatID]; {
	case cs == nil:
		return NotFound(), true
	case cs.failure != nil:
		return *cs.failure, true
	}
	return Reply{}, false
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Documented chat actions ("upload_photo" is announced as coming soon).
var chatActions = map[string]bool{"typing": true, "upload_photo": true}

func (s *Server) sendChatAction(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	chatID, desc := chatParam(p)
	if desc == "" && !chatActions[p.Get("action")] {
		desc = "action must be typing or upload_photo"
	}
	if desc != "" {
		s.badRequest(w, desc)
		return
	}
	s.core.Lock()
	if f, refused := s.refusalLocked(chatID); refused {
		s.core.Unlock()
		s.fail(w, f)
		return
	}
	s.actions = append(s.actions, ChatAction{ChatID: chatID, Action: p.Get("action"), At: s.now()})
	s.core.NotifyLocked()
	s.core.Unlock()
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
func (s *Server) setWebhook(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	raw, secret := p.Get("url"), p.Get("secret_token")
	n := utf8.RuneCountInString(secret)
	switch {
	case !p.Has("url"):
		s.badRequest(w, "url is required")
		return
	case !p.Has("secret_token"):
		s.badRequest(w, "secret_token is required")
		return
	case !validWebhookURL(raw):
		s.badRequest(w, "url must be an HTTPS URL")
		return
	case n < 8 || n > 256:
		s.badRequest(w, "secret_token must be 8 to 256 characters")
		return
	}
	s.core.Lock()
	s.webhook = webhookState{url: raw, secret: secret, updatedAt: s.now().UnixMilli()}
	info := WebhookInfo{URL: raw, UpdatedAt: s.webhook.updatedAt}
	s.core.NotifyLocked()
	s.core.Unlock()
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

func (s *Server) deleteWebhook(w http.ResponseWriter, _ *http.Request, _ apitest.Params) {
	s.core.Lock()
	s.webhook = webhookState{updatedAt: s.now().UnixMilli()}
	info := WebhookInfo{UpdatedAt: s.webhook.updatedAt}
	s.core.NotifyLocked()
	s.core.Unlock()
	s.writeOK(w, info)
}

func (s *Server) getWebhookInfo(w http.ResponseWriter, _ *http.Request, _ apitest.Params) {
	s.core.Lock()
	info := WebhookInfo{URL: s.webhook.url, UpdatedAt: s.webhook.updatedAt}
	s.core.Unlock()
	s.writeOK(w, info)
}

// Webhook returns the webhook URL and secret set by the client ("" when none)
// and the last delivery error ("" after a success).
func (s *Server) Webhook() (url, secret, lastError string) {
	s.core.Lock()
	defer s.core.Unlock()
	return s.webhook.url, s.webhook.secret, s.webhook.lastError
}

// WebhookDeliveries is the number of updates the webhook accepted (2xx).
func (s *Server) WebhookDeliveries() int {
	s.core.Lock()
	defer s.core.Unlock()
	return s.hookPosts
}

// Recording.

// ChatActions returns the accepted sendChatAction calls to chatID, in order.
func (s *Server) ChatActions(chatID string) []ChatAction {
	s.core.Lock()
	defer s.core.Unlock()
	var out []ChatAction
	for _, a := range s.actions {
		if a.ChatID == chatID {
			out = append(out, a)
		}
	}
	return out
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
