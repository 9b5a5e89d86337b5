package telegramtest

import (
	"strconv"
	"strings"
)

// inferType guesses a chat's type from its id, Telegram's conventions: users
// are positive, supergroups and channels -100…, basic groups other negatives.
func inferType(id int64) ChatType {
	switch {
	case id > 0:
		return Private
	case id <= -1000000000000:
		return Supergroup
	default:
		return Group
	}
}

// AddChat registers a chat the bot can write to. A zero Type is inferred from
// the id. Registering an existing id replaces its description and keeps its
// state, counters and topics.
func (s *Server) AddChat(c Chat) {
	s.core.Lock()
	defer s.core.Unlock()
	s.addChatLocked(c)
}

func (s *Server) addChatLocked(c Chat) *chatState {
	if c.Type == "" {
		c.Type = inferType(c.ID)
	}
	if c.Type == Private && c.FirstName == "" {
		c.FirstName = s.userLocked(c.ID).FirstName
	}
	cs := s.chats[c.ID]
	if cs == nil {
		cs = &chatState{topics: make(map[int]string)}
		s.chats[c.ID] = cs
	}
	cs.chat = c
	if c.Username != "" {
		s.usernames[strings.ToLower(c.Username)] = c.ID
	}
	return cs
}

// chatLocked returns the chat, registering it from its id when unknown (for
// the update builders).
func (s *Server) chatLocked(id int64) *chatState {
	if cs := s.chats[id]; cs != nil {
		return cs
	}
	return s.addChatLocked(Chat{ID: id})
}

// AddUser registers a user's names, used in updates and getChatMember.
func (s *Server) AddUser(u User) {
	s.core.Lock()
	defer s.core.Unlock()
	s.users[u.ID] = u
}

func (s *Server) userLocked(id int64) User {
	if u, ok := s.users[id]; ok {
		return u
	}
	if id == s.bot.ID {
		return s.bot
	}
	return User{ID: id, FirstName: "User " + strconv.FormatInt(id, 10)}
}

// AddTopic opens a forum topic in a supergroup (marking it a forum) and returns
// its message_thread_id, which like Telegram's is the id of the topic's first
// service message.
func (s *Server) AddTopic(chatID int64, name string) int {
	s.core.Lock()
	defer s.core.Unlock()
	cs := s.chatLocked(chatID)
	cs.chat.IsForum = true
	cs.lastMsgID++
	cs.topics[cs.lastMsgID] = name
	return cs.lastMsgID
}

// SetState sets a chat's lasting state (ChatBlocked, ChatKicked, ...).
func (s *Server) SetState(chatID int64, st ChatState) {
	s.core.Lock()
	defer s.core.Unlock()
	s.chatLocked(chatID).state = st
}

// MigrateChat upgrades a basic group to a supergroup: from then on sendMessage
// to groupID answers 400 with parameters.migrate_to_chat_id = supergroupID,
// and supergroupID exists and accepts messages. Use MigrationUpdates for the
// service messages Telegram sends about it.
func (s *Server) MigrateChat(groupID, supergroupID int64) {
	s.core.Lock()
	defer s.core.Unlock()
	g := s.chatLocked(groupID)
	g.migratedTo = supergroupID
	if s.chats[supergroupID] == nil {
		s.addChatLocked(Chat{ID: supergroupID, Type: Supergroup, Title: g.chat.Title})
	}
}

// SetMember scripts getChatMember for a user in a chat.
func (s *Server) SetMember(chatID, userID int64, status MemberStatus) {
	s.core.Lock()
	defer s.core.Unlock()
	s.members[[2]int64{chatID, userID}] = status
}

// resolveLocked turns a chat_id parameter (an integer or "@username") into an
// id; ok is false when it names no chat.
func (s *Server) resolveLocked(raw string) (int64, bool) {
	if name, isName := strings.CutPrefix(raw, "@"); isName {
		id, ok := s.usernames[strings.ToLower(name)]
		return id, ok
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil
}
