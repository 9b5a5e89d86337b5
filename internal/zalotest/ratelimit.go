package zalotest

import (
	"time"

	"loa/internal/apitest"
)

// Limit allows at most N messages in any window of length Per.
//
// The fake enforces limits as exact sliding windows over the accepted
// messages (see apitest.Limit), as telegramtest does: a message is accepted
// when fewer than N messages were accepted in (now-Per, now]. So a sender
// spacing its messages Per/N apart never sees a 429, a burst of N is allowed,
// and the window frees when its oldest message leaves it.
//
// The platform publishes no numbers. The defaults follow the project's plan
// (LOA_ZALO_RATE, 10 messages/s per bot) and give each chat the same 1/s
// spacing as Telegram's; a refusal is 429 "Too Many Requests: quota exceeded"
// with no retry hint, since none is documented. sendMessage and sendPhoto
// count; other methods do not.
type Limit = apitest.Limit

// Default limits.
var (
	DefaultGlobalLimit = Limit{N: 10, Per: time.Second} // per bot
	DefaultChatLimit   = Limit{N: 1, Per: time.Second}  // per chat
)

// limiter holds the global window and one per chat. It is guarded by the
// server's mutex.
type limiter struct {
	global *apitest.Window
	chats  *apitest.Windows[string]
}

func newLimiter(global, chat Limit) *limiter {
	return &limiter{global: apitest.NewWindow(global), chats: apitest.NewWindows[string](chat)}
}

// take records a message to chatID at now if every limit allows it; otherwise
// it returns the longest wait among the limits that refuse.
func (l *limiter) take(now time.Time, chatID string) time.Duration {
	return apitest.Take(now, l.global, l.chats.For(chatID))
}
