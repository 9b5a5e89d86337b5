package telegramtest

import (
	"time"

	"loa/internal/apitest"
)

// Limit allows at most N messages in any window of length Per.
//
// The fake enforces limits as exact sliding windows over the accepted messages
// (see apitest.Limit): a message is accepted when fewer than N messages were
// accepted in (now-Per, now]. So a sender spacing its messages Per/N apart
// never sees a 429 (1 s apart for the per-chat default), a burst of N is
// allowed, and a rejected sender is told to retry after the oldest message
// leaves the window — which reproduces the long retry_after values Telegram
// gives for groups ("retry after 41" after 20 quick messages).
type Limit = apitest.Limit

// Default limits, as documented in the Bot API FAQ.
var (
	DefaultGlobalLimit = Limit{N: 30, Per: time.Second} // per bot
	DefaultChatLimit   = Limit{N: 1, Per: time.Second}  // per chat
	DefaultGroupLimit  = Limit{N: 20, Per: time.Minute} // per group, supergroup or channel
)

// limiter holds the three kinds of window. It is guarded by the server's mutex.
type limiter struct {
	global *apitest.Window
	chats  *apitest.Windows[int64]
	groups *apitest.Windows[int64]
}

func newLimiter(global, chat, group Limit) *limiter {
	return &limiter{global: apitest.NewWindow(global),
		chats: apitest.NewWindows[int64](chat), groups: apitest.NewWindows[int64](group)}
}

// take records a message to chatID at now if every applicable limit allows it;
// otherwise it returns the longest wait among the limits that refuse.
func (l *limiter) take(now time.Time, chatID int64, groupLike bool) time.Duration {
	if groupLike {
		return apitest.Take(now, l.global, l.chats.For(chatID), l.groups.For(chatID))
	}
	return apitest.Take(now, l.global, l.chats.For(chatID))
}

// retryAfter is the whole number of seconds Telegram would put in retry_after.
func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
