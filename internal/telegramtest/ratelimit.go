package telegramtest

import "time"

// Limit allows at most N messages in any window of length Per.
//
// The fake enforces limits as exact sliding windows over the accepted messages
// (a log of the last N accept times): a message is accepted when fewer than N
// messages were accepted in (now-Per, now]. So a sender spacing its messages
// Per/N apart never sees a 429 (1 s apart for the per-chat default), a burst of
// N is allowed, and a rejected sender is told to retry after the oldest message
// leaves the window — which reproduces the long retry_after values Telegram
// gives for groups ("retry after 41" after 20 quick messages).
type Limit struct {
	N   int
	Per time.Duration
}

// Default limits, as documented in the Bot API FAQ.
var (
	DefaultGlobalLimit = Limit{N: 30, Per: time.Second} // per bot
	DefaultChatLimit   = Limit{N: 1, Per: time.Second}  // per chat
	DefaultGroupLimit  = Limit{N: 20, Per: time.Minute} // per group, supergroup or channel
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

// limiter holds the three kinds of window. It is guarded by the server's mutex.
type limiter struct {
	global, chat, group Limit
	globalWin           window
	chats               map[int64]*window
	groups              map[int64]*window
}

func newLimiter(global, chat, group Limit) *limiter {
	return &limiter{global: global, chat: chat, group: group,
		chats: make(map[int64]*window), groups: make(map[int64]*window)}
}

func lookupWindow(m map[int64]*window, id int64) *window {
	w := m[id]
	if w == nil {
		w = &window{}
		m[id] = w
	}
	return w
}

// take records a message to chatID at now if every applicable limit allows it;
// otherwise it returns the longest wait among the limits that refuse.
func (l *limiter) take(now time.Time, chatID int64, groupLike bool) time.Duration {
	t := now.UnixNano()
	var wait time.Duration
	var chatWin, groupWin *window
	if !l.global.off() {
		wait = max(wait, l.globalWin.wait(t, l.global))
	}
	if !l.chat.off() {
		chatWin = lookupWindow(l.chats, chatID)
		wait = max(wait, chatWin.wait(t, l.chat))
	}
	if groupLike && !l.group.off() {
		groupWin = lookupWindow(l.groups, chatID)
		wait = max(wait, groupWin.wait(t, l.group))
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
	if groupWin != nil {
		groupWin.add(t, l.group)
	}
	return 0
}

// retryAfter is the whole number of seconds Telegram would put in retry_after.
func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
