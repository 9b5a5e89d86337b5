package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"loa/internal/apitest"
)

// PushUpdate queues an update for getUpdates or the webhook, giving it the next
// update_id, which it returns.
func (s *Server) PushUpdate(u Update) int {
	s.core.Lock()
	defer s.core.Unlock()
	u.UpdateID = s.nextUpdateID
	s.nextUpdateID++
	s.queue = append(s.queue, u)
	s.core.NotifyLocked()
	return u.UpdateID
}

// PendingUpdates is the number of queued updates not yet confirmed (polling)
// or delivered (webhook).
func (s *Server) PendingUpdates() int {
	s.core.Lock()
	defer s.core.Unlock()
	return s.pendingLocked()
}

// WaitUpdatesDrained waits until no update is pending.
func (s *Server) WaitUpdatesDrained(ctx context.Context) error {
	return s.WaitFor(ctx, func() bool { return s.PendingUpdates() == 0 })
}

func (s *Server) allowedLocked(u *Update) bool {
	k := u.kind()
	if len(s.allowed) == 0 {
		return k != "chat_member" // Telegram's default
	}
	return slices.Contains(s.allowed, k)
}

// availableLocked drops the updates allowed_updates excludes (Telegram never
// delivers them) and returns up to limit of the rest.
func (s *Server) availableLocked(limit int) []Update {
	s.queue = slices.DeleteFunc(s.queue, func(u Update) bool { return !s.allowedLocked(&u) })
	return append([]Update(nil), s.queue[:min(limit, len(s.queue))]...)
}

func (s *Server) pendingLocked() int {
	n := 0
	for i := range s.queue {
		if s.allowedLocked(&s.queue[i]) {
			n++
		}
	}
	return n
}

func (s *Server) markDeliveredLocked(ups []Update) {
	for _, u := range ups {
		if u.CallbackQuery != nil {
			s.delivered[u.CallbackQuery.ID] = true
		}
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p apitest.Params) {
	offset, ok1 := p.Int("offset")
	limit, ok2 := p.Int("limit")
	timeout, ok3 := p.Int("timeout")
	allowed, setAllowed, err := parseAllowedUpdates(p)
	if !ok1 || !ok2 || !ok3 || err != nil {
		s.badRequest(w, "invalid getUpdates parameters")
		return
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	s.core.Lock()
	if s.webhook.url != "" {
		s.core.Unlock()
		s.writeError(w, http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", nil)
		return
	}
	if setAllowed {
		s.allowed = allowed
	}
	// Confirm: updates before offset are gone for good; a negative offset keeps
	// only the last -offset updates.
	switch {
	case offset > 0:
		s.queue = slices.DeleteFunc(s.queue, func(u Update) bool { return int64(u.UpdateID) < offset })
	case offset < 0 && int64(len(s.queue)) > -offset:
		s.queue = append([]Update(nil), s.queue[int64(len(s.queue))+offset:]...)
	}
	// A newer getUpdates terminates an older one still waiting, as on Telegram.
	if s.pollKill != nil {
		close(s.pollKill)
	}
	kill := make(chan struct{})
	s.pollKill = kill
	s.core.NotifyLocked()

	poll := s.core.StartPoll(time.Duration(timeout) * time.Second)
	defer poll.Stop()
	for {
		ups := s.availableLocked(int(limit))
		if len(ups) > 0 || poll.TimedOut() {
			s.finishPollLocked(kill, ups)
			poll.LeaveLocked()
			s.core.Unlock()
			s.writeOK(w, ups, "")
			return
		}
		switch poll.Wait(r.Context(), kill) {
		case apitest.PollKilled:
			s.writeError(w, http.StatusConflict, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", nil)
			return
		case apitest.PollGone:
			s.core.Lock()
			s.finishPollLocked(kill, nil)
			s.core.Unlock()
			return
		}
		if s.webhook.url != "" {
			s.finishPollLocked(kill, nil)
			poll.LeaveLocked()
			s.core.Unlock()
			s.writeError(w, http.StatusConflict, "Conflict: terminated by setWebhook request", nil)
			return
		}
	}
}

func (s *Server) finishPollLocked(kill chan struct{}, served []Update) {
	if s.pollKill == kill {
		s.pollKill = nil
	}
	s.markDeliveredLocked(served)
}

// webhookLoop delivers queued updates to the webhook, one at a time and in
// order, while one is set. A failed delivery is retried after a short backoff
// (or sooner when something changes) and reported by getWebhookInfo.
func (s *Server) webhookLoop() {
	s.core.RunWebhook(func() (apitest.Delivery, bool) {
		hook := s.webhook
		if hook.url == "" {
			return apitest.Delivery{}, false
		}
		next := s.availableLocked(1)
		if len(next) == 0 {
			return apitest.Delivery{}, false
		}
		return apitest.Delivery{
			Post: func() error { return s.post(hook, next[0]) },
			Done: func(err error) {
				if err != nil {
					s.webhook.lastErrorDate, s.webhook.lastErrorMsg = s.now().Unix(), err.Error()
					return
				}
				s.queue = slices.DeleteFunc(s.queue, func(q Update) bool { return q.UpdateID == next[0].UpdateID })
				s.markDeliveredLocked(next)
			},
		}, true
	})
}

// post sends one update to the webhook. Telegram's webhook may answer with a
// method call in the body; the fake ignores such answers.
func (s *Server) post(hook webhookState, u Update) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	header := http.Header{}
	if hook.secret != "" {
		header.Set("X-Telegram-Bot-Api-Secret-Token", hook.secret)
	}
	code, status, err := s.core.PostWebhook(s.opts.WebhookClient, hook.url, header, body)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			//lint:ignore ST1005 Telegram's own wording of last_error_message
			return errors.New("Connection refused")
		}
		//lint:ignore ST1005 Telegram's own wording of last_error_message
		return fmt.Errorf("Connection error: %v", err)
	}
	if code < 200 || code > 299 {
		//lint:ignore ST1005 Telegram's own wording of last_error_message
		return fmt.Errorf("Wrong response from the webhook: %s", status)
	}
	return nil
}

// Update builders. They take ids and dates from the server (message ids per
// chat, the injected clock) and register unknown chats by their id's
// convention; they do not queue the update (PushUpdate does) nor change any
// chat's state (SetState, MigrateChat do).

func (s *Server) messageLocked(chatID int64, from *User, text string) *Message {
	cs := s.chatLocked(chatID)
	if cs.chat.Type == Private && from != nil && cs.chat.FirstName == "" {
		cs.chat.FirstName, cs.chat.LastName, cs.chat.Username = from.FirstName, from.LastName, from.Username
	}
	cs.lastMsgID++
	m := &Message{MessageID: cs.lastMsgID, From: from, Date: s.now().Unix(), Chat: cs.chat, Text: text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []MessageEntity{{Type: "bot_command", Offset: 0, Length: UTF16Len(cmd)}}
	}
	return m
}

// TextMessage builds a "message" update: from writes text in chatID. A text
// starting with "/" gets its bot_command entity.
func (s *Server) TextMessage(chatID int64, from User, text string) Update {
	s.core.Lock()
	defer s.core.Unlock()
	return Update{Message: s.messageLocked(chatID, &from, text)}
}

// Command builds a "/command args" message, e.g. Command(chat, user, "start").
func (s *Server) Command(chatID int64, from User, command string) Update {
	return s.TextMessage(chatID, from, "/"+strings.TrimPrefix(command, "/"))
}

// TopicMessage builds a message written in a forum topic.
func (s *Server) TopicMessage(chatID int64, threadID int, from User, text string) Update {
	s.core.Lock()
	defer s.core.Unlock()
	m := s.messageLocked(chatID, &from, text)
	m.MessageThreadID, m.IsTopicMessage = threadID, true
	return Update{Message: m}
}

// ChannelPost builds a "channel_post" update in a channel.
func (s *Server) ChannelPost(chatID int64, text string) Update {
	s.core.Lock()
	defer s.core.Unlock()
	if s.chats[chatID] == nil {
		s.addChatLocked(Chat{ID: chatID, Type: Channel})
	}
	m := s.messageLocked(chatID, nil, text)
	m.SenderChat = &m.Chat
	return Update{ChannelPost: m}
}

// CallbackQuery builds a press by from on a button with data, under the bot's
// message messageID in chatID. Its id becomes answerable once the update is
// delivered.
func (s *Server) CallbackQuery(chatID int64, from User, messageID int, data string) Update {
	s.core.Lock()
	defer s.core.Unlock()
	cs := s.chatLocked(chatID)
	s.callbackSeq++
	msg := &Message{MessageID: messageID, Chat: cs.chat, Date: s.now().Unix()}
	bot := s.bot
	msg.From = &bot
	for _, m := range s.core.SentLocked(chatID) {
		if m.MessageID == messageID {
			msg.Text, msg.Entities, msg.Date = m.Text, m.Entities, m.At.Unix()
			if m.Edits > 0 {
				msg.EditDate = m.EditedAt.Unix()
			}
			if strings.Contains(string(m.ReplyMarkup), `"inline_keyboard"`) {
				msg.ReplyMarkup = m.ReplyMarkup
			}
		}
	}
	return Update{CallbackQuery: &CallbackQuery{
		ID:           strconv.FormatInt(s.bot.ID, 10) + strconv.Itoa(1000000+s.callbackSeq),
		From:         from,
		Message:      msg,
		ChatInstance: strconv.FormatInt(-chatID*7919, 10),
		Data:         data,
	}}
}

func (s *Server) myChatMemberLocked(chatID int64, by User, old, status MemberStatus) Update {
	cs := s.chatLocked(chatID)
	mem := func(st MemberStatus) ChatMember {
		m := ChatMember{Status: st, User: s.bot}
		if st == Kicked {
			var forever int64
			m.UntilDate = &forever
		}
		return m
	}
	return Update{MyChatMember: &ChatMemberUpdated{
		Chat: cs.chat, From: by, Date: s.now().Unix(),
		OldChatMember: mem(old), NewChatMember: mem(status),
	}}
}

// BotAdded builds the my_chat_member update for the bot being added to a
// group, supergroup or channel by a user, with its new status (Member or
// Administrator).
func (s *Server) BotAdded(chatID int64, by User, status MemberStatus) Update {
	s.core.Lock()
	defer s.core.Unlock()
	return s.myChatMemberLocked(chatID, by, Left, status)
}

// BotRemoved builds the my_chat_member update for the bot leaving (Left) or
// being removed (Kicked) by a user. In a private chat, Kicked is the user
// blocking the bot.
func (s *Server) BotRemoved(chatID int64, by User, status MemberStatus) Update {
	s.core.Lock()
	defer s.core.Unlock()
	old := Member
	if cs := s.chatLocked(chatID); cs.chat.Type == Channel {
		old = Administrator
	}
	return s.myChatMemberLocked(chatID, by, old, status)
}

// BotRightsChanged takes the bot's right to post in a group, supergroup or channel
// (canPost false) or gives it back (true), as the chat's admins do: sendMessage to the
// chat then answers as ChatNoRights, or accepts again, and the returned update is the
// my_chat_member Telegram sends about it. In a channel the bot stays an administrator
// with can_post_messages switched; in a group it goes from member to restricted with
// can_send_messages false, and back.
func (s *Server) BotRightsChanged(chatID int64, by User, canPost bool) Update {
	s.core.Lock()
	defer s.core.Unlock()
	cs := s.chatLocked(chatID)
	yes, no := true, false
	rights := func(can bool) ChatMember {
		m := ChatMember{Status: Member, User: s.bot}
		switch {
		case cs.chat.Type == Channel:
			m.Status, m.CanPostMessages = Administrator, &no
			if can {
				m.CanPostMessages = &yes
			}
		case !can:
			m.Status, m.IsMember, m.CanSendMessages = Restricted, &yes, &no
		}
		return m
	}
	cs.state = ChatOK
	if !canPost {
		cs.state = ChatNoRights
	}
	return Update{MyChatMember: &ChatMemberUpdated{
		Chat: cs.chat, From: by, Date: s.now().Unix(),
		OldChatMember: rights(!canPost), NewChatMember: rights(canPost),
	}}
}

// MigrationUpdates builds the two service messages Telegram sends when a group
// becomes a supergroup: migrate_to_chat_id in the old group and
// migrate_from_chat_id in the new one.
func (s *Server) MigrationUpdates(groupID, supergroupID int64, by User) []Update {
	s.core.Lock()
	defer s.core.Unlock()
	old := s.messageLocked(groupID, &by, "")
	old.MigrateToChatID = supergroupID
	if s.chats[supergroupID] == nil {
		s.addChatLocked(Chat{ID: supergroupID, Type: Supergroup, Title: s.chats[groupID].chat.Title})
	}
	sc := s.messageLocked(supergroupID, &User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}, "")
	sc.MigrateFromChatID = groupID
	sc.SenderChat = &sc.Chat
	return []Update{{Message: old}, {Message: sc}}
}
