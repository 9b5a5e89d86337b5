package zalotest

// chatState is a chat the bot can reach.
type chatState struct {
	chat    Chat
	failure *Reply // lasting failure of every send, nil when none
}

// AddChat registers a chat the bot can write to, as if its user had written
// to the bot first (PushUpdate does the same for the chat of a message). A
// zero Type is Private. Registering an existing chat keeps its failure.
//
// A bot reaches only users who wrote to it; the platform does not document
// what a send to any other chat gets. The fake answers 404
// "Not Found: chat not found", the code the platform lists for "not found".
func (s *Server) AddChat(c Chat) {
	if c.Type == "" {
		c.Type = Private
	}
	s.core.Lock()
	defer s.core.Unlock()
	s.addChatLocked(c)
}

func (s *Server) addChatLocked(c Chat) *chatState {
	cs := s.chats[c.ID]
	if cs == nil {
		cs = &chatState{}
		s.chats[c.ID] = cs
	}
	cs.chat = c
	s.core.NotifyLocked()
	return cs
}

// ForgetChat makes a chat unknown again (the user deleted the conversation or
// the account): sends to it answer 404 until the user writes again.
func (s *Server) ForgetChat(chatID string) {
	s.core.Lock()
	defer s.core.Unlock()
	delete(s.chats, chatID)
	s.core.NotifyLocked()
}

// KnownChat reports whether the bot can reach chatID.
func (s *Server) KnownChat(chatID string) bool {
	s.core.Lock()
	defer s.core.Unlock()
	return s.chats[chatID] != nil
}

// SetChatFailure makes every sendMessage, sendPhoto and sendChatAction to a
// known chat answer r (its Code, Body or Hangup; Gate and Deliver are
// ignored) until cleared with a nil r. It is for lasting conditions the
// platform does not document, e.g. a user who blocked the bot.
func (s *Server) SetChatFailure(chatID string, r *Reply) {
	s.core.Lock()
	defer s.core.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		cs = s.addChatLocked(Chat{ID: chatID, Type: Private})
	}
	if r != nil {
		c := *r
		c.Gate, c.Deliver = nil, false
		r = &c
	}
	cs.failure = r
}
