package zalotest

import "time"

// The types below mirror the Zalo Bot Platform's objects with their JSON
// names. They are the fake's own, so the server side never depends on a
// client's idea of the wire format. Ids are strings and dates are Unix
// milliseconds, as on the platform.

// ChatType is the "chat_type" of a Chat.
type ChatType string

// Chat types as the platform names them.
const (
	Private ChatType = "PRIVATE"
	Group   ChatType = "GROUP"
)

// Event names of updates, as documented. Clients must ignore names they do
// not know: the platform adds events (voice messages came after the first
// documentation).
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventVoice       = "message.voice.received"
	EventUnsupported = "message.unsupported.received"
)

// KnownEvents are the event names the documentation lists, for tests that go
// through them all.
var KnownEvents = []string{EventText, EventImage, EventSticker, EventVoice, EventUnsupported}

// User is the sender of a message. The platform documents display_name; some
// payloads carry name instead, so both exist here and each is omitted when
// empty.
type User struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	Name        string `json:"name,omitempty"`
	IsBot       bool   `json:"is_bot"`
}

// Chat is where a message was written.
type Chat struct {
	ID   string   `json:"id"`
	Type ChatType `json:"chat_type"`
}

// Message is an incoming message, limited to the fields the fake produces.
type Message struct {
	From      *User  `json:"from,omitempty"`
	Chat      Chat   `json:"chat"`
	Text      string `json:"text,omitempty"`
	Sticker   string `json:"sticker,omitempty"`
	MessageID string `json:"message_id"`
	Date      int64  `json:"date"` // Unix milliseconds
}

// Update is what getUpdates returns (one per call) and what the webhook
// receives.
type Update struct {
	EventName string   `json:"event_name"`
	Message   *Message `json:"message,omitempty"`
}

// WithNameField returns a copy of u whose sender carries "name" instead of
// "display_name", the other spelling seen in payloads.
func (u Update) WithNameField() Update {
	if u.Message == nil || u.Message.From == nil {
		return u
	}
	m := *u.Message
	from := *m.From
	if from.Name == "" {
		from.Name = from.DisplayName
	}
	from.DisplayName = ""
	m.From = &from
	u.Message = &m
	return u
}

// BotInfo is getMe's result, with the documented fields.
type BotInfo struct {
	ID            string `json:"id"`
	AccountName   string `json:"account_name"`
	AccountType   string `json:"account_type"`
	CanJoinGroups bool   `json:"can_join_groups"`
}

// WebhookInfo is the result of setWebhook, deleteWebhook and getWebhookInfo:
// the URL ("" when none) and when it last changed (Unix milliseconds).
type WebhookInfo struct {
	URL       string `json:"url"`
	UpdatedAt int64  `json:"updated_at"`
}

// sendResult is the documented result of sendMessage and sendPhoto.
type sendResult struct {
	MessageID string `json:"message_id"`
	Date      int64  `json:"date"`
}

// Message kinds in SentMessage.Kind.
const (
	KindText  = "text"
	KindPhoto = "photo"
)

// SentMessage is one message a chat received, as the fake recorded it.
type SentMessage struct {
	ChatID    string
	MessageID string
	// Kind is KindText (sendMessage) or KindPhoto (sendPhoto).
	Kind string
	// Text is sendMessage's text; Photo and Caption are sendPhoto's.
	Text    string
	Photo   string
	Caption string
	// At is the server clock's time of acceptance; Date is the same in Unix
	// milliseconds, as returned to the client.
	At   time.Time
	Date int64
}

// ChatAction is one accepted sendChatAction.
type ChatAction struct {
	ChatID string
	Action string
	At     time.Time
}
