package bot

import (
	"loa/broadcast"
	"loa/chat"
)

// Update is one inbound event from a messenger, already parsed by its adapter
// (bot/telegram, bot/zalo) into this messenger-independent shape.
type Update struct {
	// ID is the messenger's id of this update (Telegram's update_id, Zalo's
	// message_id), so that an update delivered twice is handled once; "" when it has
	// none.
	ID string
	// Chat is the chat it comes from, on its messenger (Chat.Channel: chat.Telegram,
	// chat.Zalo); the adapter fills Channel, Address, Kind, Title and, on Telegram,
	// ThreadID and IsForum.
	Chat chat.Chat
	// From is who sent the message, pressed the button or changed the bot's membership.
	From User
	// Text is a message's text, commands included ("/start", "/topics@loa_bot").
	Text string
	// Callback is set when a member pressed an inline button.
	Callback *Callback
	// Membership is set when the bot itself was added to or removed from a group,
	// supergroup or channel.
	Membership *Membership
	// MigratedTo is set when the group became a supergroup with this address.
	MigratedTo string
}

// User is a person on a messenger.
type User struct {
	ID   string
	Name string
}

// Callback is a pressed inline button.
type Callback struct {
	ID   string // to answer it (answerCallbackQuery)
	Data string // the button's data, as the bot set it
	// MessageID is the message carrying the keyboard, so it can be edited in place.
	MessageID string
}

// Membership says the bot was added to or removed from a chat.
type Membership struct {
	// Added: the bot is now a member or administrator; otherwise it left, was removed
	// or was kicked.
	Added bool
	// RightsChanged: the bot was in the chat and still is; only its right to post
	// changed (a channel's admins switched can_post_messages, a group restricted it or
	// lifted the restriction). CanPost says whether it may post now.
	RightsChanged bool
	CanPost       bool
}

// Response is what the bot does in answer to an update. The adapter carries it out:
// replies go to the update's chat (and thread), in its format.
type Response struct {
	// Replies are messages to send, in order.
	Replies []Reply
	// Edit, if set, replaces the text and keyboard of the message whose button was
	// pressed (Callback.MessageID).
	Edit *Reply
	// CallbackText answers the pressed button (a short toast); sent whenever the update
	// was a callback, empty or not, so the client stops its spinner.
	CallbackText string
	// Leave: the bot leaves the chat after replying.
	Leave bool
}

// Reply is one message: plain text (the adapter escapes it for its format) and,
// optionally, rows of inline buttons (channels without buttons show none).
//
// A Reply with a Preview is an announcement shown to an admin before it goes out: the
// adapter first sends the Preview exactly as members will receive it (its Render, in
// its format, split into parts as a broadcast is), then Text as a plain message with
// the Buttons under it. Text is thus the caption below the preview: what it is and
// what to do next; the buttons act on the draft, and editing their message (Edit)
// never touches the preview above it. An Edit's Preview is ignored.
type Reply struct {
	Text    string
	Buttons [][]Button
	Preview *broadcast.Content
}

// Button is an inline button.
type Button struct {
	Text string
	Data string // at most 64 bytes (Telegram's limit)
}
