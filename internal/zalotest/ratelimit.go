package zalotest

import (
	"time"

	"loa/internal/apitest"
)

// Limit allows at most N messages in any window of length Per, an exact sliding
// window as in telegramtest (see apitest.Limit).
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
