package botapi

import (
	"context"
	"time"
)

// Inbound is an update as the adapter received it, before it is handled.
type Inbound struct {
	// ID is the messenger's id of the update (Telegram's update_id; Zalo's message_id,
	// else a digest of the update): a second delivery with the same id is the same
	// update.
	ID string
	// Chat is the chat the update belongs to: a chat's updates are handled one at a
	// time, in the order received.
	Chat string
	// Payload is the update's JSON as received.
	Payload []byte
}

// Inbox keeps received updates durably until they are handled (bot/inbox.Worker is
// one). The adapters acknowledge an update to the messenger only once Add returned
// nil: a webhook answers 200 after it, long polling confirms the offset after it.
type Inbox interface {
	Add(ctx context.Context, updates []Inbound) error
}

// SharedRate is the channel's send rate, shared with broadcasts and every replica
// (app backs it with the store's send slots and channel pause). Replies take their
// slots from it, so a burst of answers cannot trip a 429 that pauses broadcasting.
type SharedRate interface {
	// Reserve books one send slot for a message to chat and returns how long to wait for
	// it: the channel's slot, the channel's pause (after anyone's 429), and the chat's
	// own pacing as broadcasts see it (the chat is then kept free for spacing after the
	// reply, so a broadcast does not follow it too closely either).
	Reserve(ctx context.Context, chat string, spacing time.Duration) (wait time.Duration, err error)
	// Sent tells that a reply to chat was accepted: the chat's pacing counts from now,
	// so a broadcast does not follow the reply within spacing however long the call
	// took (the engine's MarkSent does the same for broadcasts).
	Sent(ctx context.Context, chat string, spacing time.Duration)
	// Pause stops the channel's sending, broadcasts included, on every replica, for d
	// (a 429's retry_after), as a broadcast's 429 does.
	Pause(ctx context.Context, d time.Duration, reason string) error
}
