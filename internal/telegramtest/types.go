package telegramtest

import "encoding/json"

// The types below mirror the Bot API objects with their real (snake_case) JSON
// names. They are the fake's own, so the server side never depends on a client
// library's idea of the wire format.

// ChatType is the "type" of a Chat.
type ChatType string

// Chat types as the Bot API names them.
const (
	Private    ChatType = "private"
	Group      ChatType = "group"
	Supergroup ChatType = "supergroup"
	Channel    ChatType = "channel"
)

// isGroupLike reports whether the 20 messages per minute limit applies.
func (t ChatType) isGroupLike() bool { return t == Group || t == Supergroup || t == Channel }

// User is a Telegram user or bot.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a private chat, group, supergroup or channel.
type Chat struct {
	ID        int64    `json:"id"`
	Type      ChatType `json:"type"`
	Title     string   `json:"title,omitempty"`
	Username  string   `json:"username,omitempty"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
	IsForum   bool     `json:"is_forum,omitempty"`
}

// MessageEntity is one formatting entity; Offset and Length are in UTF-16 code
// units, as in the Bot API.
type MessageEntity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	User          *User  `json:"user,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// Message is a Bot API Message, limited to the fields the fake produces.
type Message struct {
	MessageID          int             `json:"message_id"`
	MessageThreadID    int             `json:"message_thread_id,omitempty"`
	From               *User           `json:"from,omitempty"`
	SenderChat         *Chat           `json:"sender_chat,omitempty"`
	Date               int64           `json:"date"`
	Chat               Chat            `json:"chat"`
	EditDate           int64           `json:"edit_date,omitempty"`
	IsTopicMessage     bool            `json:"is_topic_message,omitempty"`
	Text               string          `json:"text,omitempty"`
	Entities           []MessageEntity `json:"entities,omitempty"`
	LinkPreviewOptions json.RawMessage `json:"link_preview_options,omitempty"`
	ReplyMarkup        json.RawMessage `json:"reply_markup,omitempty"`
	NewChatMembers     []User          `json:"new_chat_members,omitempty"`
	LeftChatMember     *User           `json:"left_chat_member,omitempty"`
	MigrateToChatID    int64           `json:"migrate_to_chat_id,omitempty"`
	MigrateFromChatID  int64           `json:"migrate_from_chat_id,omitempty"`
}

// CallbackQuery is a press on an inline keyboard button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// MemberStatus is a ChatMember "status".
type MemberStatus string

// Member statuses as the Bot API names them.
const (
	Creator       MemberStatus = "creator"
	Administrator MemberStatus = "administrator"
	Member        MemberStatus = "member"
	Restricted    MemberStatus = "restricted"
	Left          MemberStatus = "left"
	Kicked        MemberStatus = "kicked"
)

// ChatMember is one member of a chat.
type ChatMember struct {
	Status      MemberStatus `json:"status"`
	User        User         `json:"user"`
	IsAnonymous bool         `json:"is_anonymous,omitempty"`
	UntilDate   *int64       `json:"until_date,omitempty"`
	// CanBeEdited and the other rights are only meaningful for administrators;
	// the fake reports a typical set.
	CanBeEdited     *bool `json:"can_be_edited,omitempty"`
	CanManageChat   *bool `json:"can_manage_chat,omitempty"`
	CanPostMessages *bool `json:"can_post_messages,omitempty"`
	// IsMember and CanSendMessages are a restricted member's (can_send_messages false:
	// the group took the right to write).
	IsMember        *bool `json:"is_member,omitempty"`
	CanSendMessages *bool `json:"can_send_messages,omitempty"`
}

// ChatMemberUpdated reports a change of a member's status (my_chat_member for
// the bot itself).
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// Update is one incoming update. Exactly one of the optional fields is set.
type Update struct {
	UpdateID          int                `json:"update_id"`
	Message           *Message           `json:"message,omitempty"`
	EditedMessage     *Message           `json:"edited_message,omitempty"`
	ChannelPost       *Message           `json:"channel_post,omitempty"`
	EditedChannelPost *Message           `json:"edited_channel_post,omitempty"`
	CallbackQuery     *CallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember      *ChatMemberUpdated `json:"my_chat_member,omitempty"`
	ChatMember        *ChatMemberUpdated `json:"chat_member,omitempty"`
}

// kind is the allowed_updates name of the update's type.
func (u *Update) kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.ChannelPost != nil:
		return "channel_post"
	case u.EditedChannelPost != nil:
		return "edited_channel_post"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChatMember != nil:
		return "chat_member"
	}
	return ""
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// WebhookInfo is the result of getWebhookInfo.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}
