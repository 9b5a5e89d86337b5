package zalotest

import "time"

// Limit allows at most N messages in any window of length Per.
//
// The fake enforces limits as exact sliding windows over the accepted
// messages (a log of the last N accept times), as telegramtest does: a message
// is accepted when fewer than N messages were accepted in (now-Per, now]. So a
// sender spacing its messages Per/N apart never sees a 429, a burst of N is
// allowed, and the window frees when its oldest message leaves it.
//
// The platform publishes no numbers. The defaults follow the project's plan
// (LOA_ZALO_RATE, 10 messages/s per bot) and give each chat the same 1/s
// spacing as Telegram's; a refusal is 429 "Too Many Requests: quota exceeded"
// with no retry hint, since none is documented. sendMessage and sendPhoto
// count; other methods do not.
type Limit struct {
	N   int
	Per time.Duration
}

// Default limits.
var (
	DefaultGlobalLimit = Limit{N: 10, Per: time.Second} // per bot
	DefaultChatLimit   = Limit{N: 1, Per: time.Second}  // per chat
)

func (l Limit) off() bool { return l.N <= 0 || l.Per <= 0 }

// window is the log of the last N accept times (unix nanoseconds), a ring.
type window struct {
	times []int64
	next  int
}

// wait is how long until one more message fits, 0 if it fits now.
func (w *window) wait(now int64, l Limit) time.Duration {
	if len(w.times) < l.N {
		return 0
	}
	oldest := w.times[w.next] // the ring is full: next is the oldest
	if d := oldest + int64(l.Per) - now; d > 0 {
		return time.Duration(d)
	}
	return 0
}

func (w *window) add(now int64, l Limit) {
	if len(w.times) < l.N {
		w.times = append(w.times, now)
		return
	}
	w.times[w.next] = now
	w.next = (w.next + 1) % l.N
}

// limiter holds the global window and one per chat. It is guarded by the
// server's mutex.
type limiter struct {
	global, chat Limit
	globalWin    window
	chats        map[string]*window
}

func newLimiter(global, chat Limit) *limiter {
	return &limiter{global: global, chat: chat, chats: make(map[string]*window)}
}

// take records a message to chatID at now if every limit allows it; otherwise
// it returns the longest wait among the limits that refuse.
func (l *limiter) take(now time.Time, chatID string) time.Duration {
	t := now.UnixNano()
	var wait time.Duration
	var chatWin *window
	if !l.global.off() {
		wait = max(wait, l.globalWin.wait(t, l.global))
	}
	if !l.chat.off() {
		chatWin = l.chats[chatID]
		if chatWin == nil {
			chatWin = &window{}
			l.chats[chatID] = chatWin
		}
		wait = max(wait, chatWin.wait(t, l.chat))
	}
	if wait > 0 {
		return wait
	}
	if !l.global.off() {
		l.globalWin.add(t, l.global)
	}
	if chatWin != nil {
		chatWin.add(t, l.chat)
	}
	return 0
}
