package broadcast

import (
	"context"
	"fmt"
	"time"

	"loa/chat"
	"loa/store"
)

// Content is what a broadcast says.
type Content struct {
	Kind    store.BroadcastKind
	Topic   string
	Title   string // plain text
	Summary string // plain text
	Link    string // absolute URL or ""
}

// Sender delivers to one channel. Adapters (bot/telegram, bot/zalo) implement it.
type Sender interface {
	// Channel names the channel (chat.Telegram, chat.Zalo).
	Channel() chat.Channel
	// Render turns a broadcast into the texts to send, in order: more than one when it
	// is too long for one message. Every text is ready for the wire (escaped as the
	// channel's format requires).
	Render(c Content) []string
	// Send sends one rendered text to the chat. Errors that the engine acts on are
	// *SendError; any other error is treated as transient.
	Send(ctx context.Context, to chat.Chat, text string) error
}

// ErrorKind says what the engine does about a failed send.
type ErrorKind int

// The kinds of send failure.
const (
	// Transient: try again later with backoff (5xx, timeouts, network errors).
	Transient ErrorKind = iota
	// RateLimited: the channel said to slow down; every replica pauses the channel for
	// RetryAfter and the message is retried, not counted as a failure. A RetryAfter of
	// 0 means the messenger named no wait, as when a quota ran out (Zalo's 429): the
	// dispatcher backs off on its own, doubling with each such refusal in a row.
	RateLimited
	// ChatGone: the chat cannot be reached any more (bot blocked, kicked, user
	// deactivated, chat not found): the delivery fails and the subscriber is gone.
	ChatGone
	// Migrated: the group became a supergroup at MigrateTo; the subscriber is re-keyed
	// and the message re-sent there.
	Migrated
	// Rejected: the channel refused this message (bad request) but the chat is fine:
	// the delivery fails with the reason, the subscriber stays.
	Rejected
	// Unauthorized: the bot token is not valid any more: the channel's sending stops
	// (deliveries stay pending) until the token works again.
	Unauthorized
	// ThreadGone: the forum topic the subscriber chose was deleted: broadcasts go to the
	// chat's main thread from now on, starting with this one.
	ThreadGone
	// ChatPaused: the chat took the bot's right to post (a channel or group that
	// restricted it) but still exists: its deliveries wait, up to MaxAge, the admins are
	// alerted once, and it resumes when its rights are back (store.ResumeChat).
	ChatPaused
)

var kindNames = [...]string{"transient", "rate_limited", "chat_gone", "migrated", "rejected", "unauthorized", "thread_gone",
	"chat_paused"}

// String names the kind, as used in metrics labels.
func (k ErrorKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind%d", int(k))
}

// SendError is a classified send failure.
type SendError struct {
	Kind ErrorKind
	// Reason is short and stable, stored with the delivery and used as a metrics label:
	// "blocked", "deactivated", "kicked", "chat_not_found", "too_many_requests",
	// "http_502", "timeout", "bad_request", ...
	Reason string
	// RetryAfter is how long to pause (RateLimited); 0: no wait was named, the
	// dispatcher backs off (Dispatcher.QuotaBackoff).
	RetryAfter time.Duration
	// GoneIfRepeated (Rejected): this answer, met on several sends in a row to the chat
	// spread over a day while other chats were reached, means the chat is gone. For a
	// messenger that does not say plainly that a user blocked the bot (Zalo's 404).
	GoneIfRepeated bool
	// MigrateTo is the supergroup's address (Migrated).
	MigrateTo string
	// Err is the underlying error; its text must not contain secrets such as the token.
	Err error
}

// Error implements error.
func (e *SendError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.Reason, e.Kind, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.Reason, e.Kind)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }
