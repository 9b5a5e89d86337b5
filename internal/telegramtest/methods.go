package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"loa/internal/apitest"
)

// methods is the dispatch table (the Bot API matches method names
// case-insensitively).
func (s *Server) methods() map[string]apitest.Handler {
	return map[string]apitest.Handler{
		"getMe":               s.getMe,
		"getUpdates":          s.getUpdates,
		"sendMessage":         s.sendMessage,
		"editMessageText":     s.editMessageText,
		"setMyCommands":       s.setMyCommands,
		"getMyCommands":       s.getMyCommands,
		"deleteMyCommands":    s.deleteMyCommands,
		"setWebhook":          s.setWebhook,
		"deleteWebhook":       s.deleteWebhook,
		"getWebhookInfo":      s.getWebhookInfo,
		"answerCallbackQuery": s.answerCallbackQuery,
		"getChatMember":       s.getChatMember,
		"leaveChat":           s.leaveChat,
	}
}

func (s *Server) getMe(w http.ResponseWriter, _ *http.Request, _ apitest.Params) {
	s.writeOK(w, struct {
		User
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
	}{User: s.bot, CanJoinGroups: true}, "")
}

// commandsKey identifies a command list by scope and language.
func commandsKey(p apitest.Params) (string, bool) {
	key := "default"
	if p.Has("scope") {
		var sc struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"`
			UserID int64           `json:"user_id"`
		}
		if json.Unmarshal([]byte(p.Get("scope")), &sc) != nil || sc.Type == "" {
			return "", false
		}
		key = sc.Type
		if len(sc.ChatID) > 0 {
			key += ":" + strings.Trim(string(sc.ChatID), `"`)
		}
		if sc.UserID != 0 {
			key += ":" + strconv.FormatInt(sc.UserID, 10)
		}
	}
	return key + "/" + p.Get("language_code"), true
}

func (s *Server) setMyCommands(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	key, ok := commandsKey(p)
	if !ok {
		s.badRequest(w, "can't parse BotCommandScope JSON object")
		return
	}
	var raw []map[string]json.RawMessage
	if p.Has("commands") {
		if err := json.Unmarshal([]byte(p.Get("commands")), &raw); err != nil {
			s.badRequest(w, "can't parse commands JSON object")
			return
		}
	}
	if len(raw) > 100 {
		s.badRequest(w, "too many commands specified")
		return
	}
	cmds := make([]BotCommand, 0, len(raw))
	for _, obj := range raw {
		var c BotCommand
		for _, f := range []struct {
			name string
			dst  *string
		}{{"command", &c.Command}, {"description", &c.Description}} {
			v, ok := obj[f.name]
			if !ok {
				s.badRequest(w, "can't parse BotCommand: Can't find field \""+f.name+"\"")
				return
			}
			if json.Unmarshal(v, f.dst) != nil {
				s.badRequest(w, "can't parse BotCommand: Field \""+f.name+"\" must be of type String")
				return
			}
		}
		c.Command = strings.TrimPrefix(c.Command, "/")
		switch {
		case c.Command == "":
			s.badRequest(w, "command must be non-empty")
			return
		case !validCommand(c.Command):
			s.badRequest(w, "BOT_COMMAND_INVALID")
			return
		case strings.TrimSpace(c.Description) == "":
			s.badRequest(w, "command description must be non-empty")
			return
		case utf8.RuneCountInString(c.Description) > 256:
			s.badRequest(w, "BOT_COMMAND_DESCRIPTION_INVALID")
			return
		}
		cmds = append(cmds, c)
	}
	s.core.Lock()
	s.commands[key] = cmds
	s.core.NotifyLocked()
	s.core.Unlock()
	s.writeOK(w, true, "")
}

// validCommand: 1-32 characters, lower-case English letters, digits and
// underscores.
func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if b := c[i]; !('a' <= b && b <= 'z' || isASCIIDigit(b) || b == '_') {
			return false
		}
	}
	return true
}

func (s *Server) getMyCommands(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	key, ok := commandsKey(p)
	if !ok {
		s.badRequest(w, "can't parse BotCommandScope JSON object")
		return
	}
	s.core.Lock()
	cmds := append([]BotCommand{}, s.commands[key]...)
	s.core.Unlock()
	s.writeOK(w, cmds, "")
}

func (s *Server) deleteMyCommands(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	key, ok := commandsKey(p)
	if !ok {
		s.badRequest(w, "can't parse BotCommandScope JSON object")
		return
	}
	s.core.Lock()
	delete(s.commands, key)
	s.core.NotifyLocked()
	s.core.Unlock()
	s.writeOK(w, true, "")
}

// Commands returns the command list set for the default scope and no language.
func (s *Server) Commands() []BotCommand { return s.CommandsFor("default", "") }

// CommandsFor returns the command list for a scope ("default",
// "all_private_chats", "chat:<id>", ...) and language code.
func (s *Server) CommandsFor(scope, languageCode string) []BotCommand {
	s.core.Lock()
	defer s.core.Unlock()
	return append([]BotCommand(nil), s.commands[scope+"/"+languageCode]...)
}

// CallbackAnswer is a recorded answerCallbackQuery.
type CallbackAnswer struct {
	CallbackQueryID string
	Text            string
	ShowAlert       bool
	URL             string
	CacheTime       int
}

func (s *Server) answerCallbackQuery(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	id := p.Get("callback_query_id")
	cache, _ := p.Int("cache_time")
	s.core.Lock()
	if !s.delivered[id] || s.answered[id] {
		s.core.Unlock()
		s.badRequest(w, "query is too old and response timeout expired or query ID is invalid")
		return
	}
	s.answered[id] = true
	s.answers = append(s.answers, CallbackAnswer{CallbackQueryID: id, Text: p.Get("text"),
		ShowAlert: p.Bool("show_alert"), URL: p.Get("url"), CacheTime: int(cache)})
	s.core.NotifyLocked()
	s.core.Unlock()
	s.writeOK(w, true, "")
}

// CallbackAnswers returns the answered callback queries, in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.core.Lock()
	defer s.core.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// chatForRequest resolves chat_id for the methods other than sendMessage,
// writing the error when it names no usable chat.
func (s *Server) chatForRequest(w http.ResponseWriter, p apitest.Params) (*chatState, bool) {
	if p.Get("chat_id") == "" {
		s.badRequest(w, "chat_id is empty")
		return nil, false
	}
	s.core.Lock()
	id, ok := s.resolveLocked(p.Get("chat_id"))
	cs := s.chats[id]
	switch {
	case !ok || cs == nil || cs.state == ChatGone:
		s.core.Unlock()
		s.fail(w, ChatNotFound(), "")
		return nil, false
	case cs.migratedTo != 0:
		to := cs.migratedTo
		s.core.Unlock()
		s.fail(w, Migrated(to), "")
		return nil, false
	}
	s.core.Unlock()
	return cs, true
}

func (s *Server) getChatMember(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	cs, ok := s.chatForRequest(w, p)
	if !ok {
		return
	}
	userID, ok := p.Int("user_id")
	if !ok || userID <= 0 {
		s.badRequest(w, "invalid user_id specified")
		return
	}
	s.core.Lock()
	chat := cs.chat
	status, scripted := s.members[[2]int64{chat.ID, userID}]
	if !scripted {
		switch {
		case userID == s.bot.ID && (cs.state == ChatKicked || cs.state == ChatBlocked):
			status = Kicked
		case userID == s.bot.ID && cs.state == ChatLeft:
			status = Left
		case userID == s.bot.ID && chat.Type == Channel:
			status = Administrator
		case userID == s.bot.ID || chat.Type == Private && chat.ID == userID:
			status = Member
		default:
			status = Left
		}
	}
	m := ChatMember{Status: status, User: s.userLocked(userID)}
	s.core.Unlock()
	yes, no := true, false
	switch status {
	case Administrator:
		m.CanBeEdited, m.CanManageChat, m.CanPostMessages = &no, &yes, &yes
	case Kicked:
		var forever int64
		m.UntilDate = &forever
	}
	s.writeOK(w, m, "")
}

func (s *Server) leaveChat(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	cs, ok := s.chatForRequest(w, p)
	if !ok {
		return
	}
	s.core.Lock()
	if cs.state == ChatOK {
		cs.state = ChatLeft
	}
	s.left = append(s.left, cs.chat.ID)
	s.core.NotifyLocked()
	s.core.Unlock()
	s.writeOK(w, true, "")
}

// LeftChats returns the chats the bot left with leaveChat, in order.
func (s *Server) LeftChats() []int64 {
	s.core.Lock()
	defer s.core.Unlock()
	return append([]int64(nil), s.left...)
}

// webhookState is the webhook configuration and its delivery status.
type webhookState struct {
	url, secret    string
	maxConnections int
	lastErrorDate  int64
	lastErrorMsg   string
}

// validSecret: 1-256 characters A-Z, a-z, 0-9, _ and -.
func validSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(isASCIIAlpha(b) || isASCIIDigit(b) || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

func parseAllowedUpdates(p apitest.Params) ([]string, bool, error) {
	if !p.Has("allowed_updates") {
		return nil, false, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(p.Get("allowed_updates")), &list); err != nil {
		return nil, false, err
	}
	return list, true, nil
}

func (s *Server) setWebhook(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	rawURL := p.Get("url")
	if rawURL == "" {
		s.removeWebhook(w, p.Bool("drop_pending_updates"))
		return
	}
	// Telegram wants HTTPS on ports 443, 80, 88 or 8443; the fake also takes
	// plain HTTP on any port so a test can receive on httptest.
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		s.badRequest(w, "bad webhook: An HTTPS URL must be provided for webhook")
		return
	}
	secret := p.Get("secret_token")
	switch {
	case len(secret) > 256:
		s.badRequest(w, "secret token is too long")
		return
	case !validSecret(secret):
		s.badRequest(w, "secret token contains unallowed characters")
		return
	}
	maxConn := int64(40)
	if p.Has("max_connections") {
		var ok bool
		if maxConn, ok = p.Int("max_connections"); !ok || maxConn < 1 || maxConn > 100 {
			s.badRequest(w, "bad webhook: max_connections must be between 1 and 100")
			return
		}
	}
	allowed, set, err := parseAllowedUpdates(p)
	if err != nil {
		s.badRequest(w, "can't parse allowed updates JSON object")
		return
	}
	s.core.Lock()
	same := s.webhook.url == rawURL && s.webhook.secret == secret
	s.webhook.url, s.webhook.secret, s.webhook.maxConnections = rawURL, secret, int(maxConn)
	if set {
		s.allowed = allowed
	}
	if p.Bool("drop_pending_updates") {
		s.queue = nil
	}
	s.core.NotifyLocked()
	s.core.Unlock()
	desc := "Webhook was set"
	if same {
		desc = "Webhook is already set"
	}
	s.writeOK(w, true, desc)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, _ *http.Request, p apitest.Params) {
	s.removeWebhook(w, p.Bool("drop_pending_updates"))
}

func (s *Server) removeWebhook(w http.ResponseWriter, drop bool) {
	s.core.Lock()
	had := s.webhook.url != ""
	s.webhook = webhookState{}
	if drop {
		s.queue = nil
	}
	s.core.NotifyLocked()
	s.core.Unlock()
	desc := "Webhook was deleted"
	if !had {
		desc = "Webhook is already deleted"
	}
	s.writeOK(w, true, desc)
}

func (s *Server) getWebhookInfo(w http.ResponseWriter, _ *http.Request, _ apitest.Params) {
	s.writeOK(w, s.Webhook(), "")
}

// Webhook returns what getWebhookInfo would.
func (s *Server) Webhook() WebhookInfo {
	s.core.Lock()
	defer s.core.Unlock()
	info := WebhookInfo{URL: s.webhook.url, PendingUpdateCount: s.pendingLocked()}
	if s.webhook.url != "" {
		info.MaxConnections = s.webhook.maxConnections
		info.LastErrorDate, info.LastErrorMessage = s.webhook.lastErrorDate, s.webhook.lastErrorMsg
		info.AllowedUpdates = s.allowed
	}
	return info
}

// WebhookSecret is the secret_token of the current webhook.
func (s *Server) WebhookSecret() string {
	s.core.Lock()
	defer s.core.Unlock()
	return s.webhook.secret
}
