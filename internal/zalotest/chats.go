package zalotest

import "fmt"

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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addChatLocked(c)
}

func (s *Server) addChatLocked(c Chat) *chatState {
	cs := s.chats[c.ID]
	if cs == nil {
		cs = &chatState{}
		s.chats[c.ID] = cs
	}
	cs.chat = c
	s.changed.Notify()
	return cs
}

// ForgetChat makes a chat unknown again (the user deleted the conversation or
// the account): sends to it answer 404 until the user writes again.
func (s *Server) ForgetChat(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.chats, chatID)
	s.changed.Notify()
}

// KnownChat reports whether the bot can reach chatID.
func (s *Server) KnownChat(chatID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chats[chatID] != nil
}

// SetChatFailure makes every sendMessage, sendPhoto and sendChatAction to a
// known chat answer r (its Code, Body or Hangup; Gate and Deliver are
// ignored) until cleared with a nil r. It is for lasting conditions the
// platform does not document, e.g. a user who blocked the bot.
func (s *Server) SetChatFailure(chatID string, r *Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
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

// Script queues one-shot replies for the next sendMessage or sendPhoto calls
// to chatID, consumed in order before anything else about the call is
// checked (a reply with Deliver still has the call checked and recorded).
func (s *Server) Script(chatID string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[chatID] = append(s.scripts[chatID], replies...)
}

// ScriptMethod queues one-shot replies for the next calls of a method (its
// exact API name, e.g. "getUpdates"), whatever their parameters. They are
// consumed after the token is checked and before the method runs.
func (s *Server) ScriptMethod(method string, replies ...Reply) {
	h, ok := s.handlers[method]
	if !ok {
		panic(fmt.Sprintf("zalotest: ScriptMethod: unknown method %q", method))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.methodScr[h.name] = append(s.methodScr[h.name], replies...)
}
