// Package chat names where loa talks: the messengers (channels), the kinds of chat on
// them, and one Chat type that the store, the delivery engine and the bot share. It is
// the one Go-side definition of these words; the database keeps the same values as text
// (CHECK constraints in store/migrations).
package chat

import "fmt"

// Channel is a messenger loa speaks on. Its value is the wire and database form
// (subscribers.channel, metrics labels, "telegram:1001" actors).
type Channel string

// The channels.
const (
	Telegram Channel = "telegram"
	Zalo     Channel = "zalo"
)

// Channels lists every channel, in a stable order (metrics, listings).
func Channels() []Channel { return []Channel{Telegram, Zalo} }

// Valid reports whether c is a channel loa knows.
func (c Channel) Valid() bool { return c == Telegram || c == Zalo }

// String returns the channel's name.
func (c Channel) String() string { return string(c) }

// ParseChannel returns the channel named s ("telegram" or "zalo"), or an error naming
// the ones there are.
func ParseChannel(s string) (Channel, error) {
	if c := Channel(s); c.Valid() {
		return c, nil
	}
	return "", fmt.Errorf("unknown channel %q: want %s or %s", s, Telegram, Zalo)
}

// Kind is the kind of a chat. Telegram has all four; a Zalo chat is private or group.
type Kind string

// The kinds of chat.
const (
	KindPrivate    Kind = "private"
	KindGroup      Kind = "group"
	KindSupergroup Kind = "supergroup"
	KindChannel    Kind = "channel"
)

// Valid reports whether k is a kind of chat loa knows.
func (k Kind) Valid() bool {
	switch k {
	case KindPrivate, KindGroup, KindSupergroup, KindChannel:
		return true
	}
	return false
}

// String returns the kind's name.
func (k Kind) String() string { return string(k) }

// ParseKind returns the kind named s, or an error.
func ParseKind(s string) (Kind, error) {
	if k := Kind(s); k.Valid() {
		return k, nil
	}
	return "", fmt.Errorf("unknown chat kind %q", s)
}

// Chat is one chat on one channel: where a delivery goes, what subscribes, where an
// update comes from. Fields a use does not need stay zero.
type Chat struct {
	Channel Channel
	// Address is the chat's id on its channel.
	Address string
	Kind    Kind
	// Title is a group's title, or the member's name in a private chat.
	Title string
	// ThreadID is the forum topic (Telegram message_thread_id); 0 for none.
	ThreadID int64
	// IsForum: a supergroup with topics.
	IsForum bool
}
