package telegramtest

import (
	"time"

	"loa/internal/apitest"
)

// Limit allows at most N messages in any window of length Per, an exact sliding
// window (see apitest.Limit): a sender spacing its messages Per/N apart never
// sees a 429 (1 s apart for the per-chat default), and a refused sender is told
// to retry after the oldest message leaves the window — which reproduces the long
// retry_after values Telegram gives for groups ("retry after 41" after 20 quick
// messages).
type Limit = apitest.Limit

// Default limits, as documented in the Bot API FAQ.
var (
	DefaultGlobalLimit = Limit{N: 30, Per: time.Second} // per bot
	DefaultChatLimit   = Limit{N: 1, Per: time.Second}  // per chat
	DefaultGroupLimit  = Limit{N: 20, Per: time.Minute} // per group, supergroup or channel
)

// retryAfter is the whole number of seconds Telegram would put in retry_after.
func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
