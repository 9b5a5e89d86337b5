package apitest

import "time"

// Limit allows at most N messages in any window of length Per. A Limit with
// N <= 0 or Per <= 0 is off.
//
// Limits are enforced as exact sliding windows over the accepted messages (a
// log of the last N accept times): a message is accepted when fewer than N
// messages were accepted in (now-Per, now]. So a sender spacing its messages
// Per/N apart is never refused, a burst of N is allowed, and a refused sender
// must wait until the oldest message leaves the window.
type Limit struct {
	N   int
	Per time.Duration
}

// Off reports whether the limit allows everything.
func (l Limit) Off() bool { return l.N <= 0 || l.Per <= 0 }

// Or is l, or def when l is the zero Limit (an option left unset).
func (l Limit) Or(def Limit) Limit {
	if l == (Limit{}) {
		return def
	}
	return l
}

// Window is one sliding window: the last N accept times under a Limit. A nil
// Window (what NewWindow gives for a Limit that is off) allows everything.
// It is not safe for concurrent use; the fakes guard it with their mutex.
type Window struct {
	limit Limit
	times []int64 // unix nanoseconds, a ring
	next  int
}

// NewWindow returns an empty window for l, nil when l is off.
func NewWindow(l Limit) *Window {
	if l.Off() {
		return nil
	}
	return &Window{limit: l}
}

// Wait is how long until one more message fits at now, 0 if it fits now.
func (w *Window) Wait(now time.Time) time.Duration {
	if w == nil || len(w.times) < w.limit.N {
		return 0
	}
	oldest := w.times[w.next] // the ring is full: next is the oldest
	if d := oldest + int64(w.limit.Per) - now.UnixNano(); d > 0 {
		return time.Duration(d)
	}
	return 0
}

// Add records a message accepted at now.
func (w *Window) Add(now time.Time) {
	if w == nil {
		return
	}
	t := now.UnixNano()
	if len(w.times) < w.limit.N {
		w.times = append(w.times, t)
		return
	}
	w.times[w.next] = t
	w.next = (w.next + 1) % w.limit.N
}

// Take records a message at now in every window if all of them allow it;
// otherwise it records nothing and returns the longest wait among those that
// refuse. Nil windows allow everything.
func Take(now time.Time, windows ...*Window) time.Duration {
	var wait time.Duration
	for _, w := range windows {
		wait = max(wait, w.Wait(now))
	}
	if wait > 0 {
		return wait
	}
	for _, w := range windows {
		w.Add(now)
	}
	return 0
}

// Windows is one window per key (a chat, a group) under one Limit, created
// on first use. It is not safe for concurrent use.
type Windows[K comparable] struct {
	limit Limit
	byKey map[K]*Window
}

// NewWindows returns per-key windows for l.
func NewWindows[K comparable](l Limit) *Windows[K] {
	return &Windows[K]{limit: l, byKey: make(map[K]*Window)}
}

// For is k's window, nil when the limit is off.
func (ws *Windows[K]) For(k K) *Window {
	if ws.limit.Off() {
		return nil
	}
	w := ws.byKey[k]
	if w == nil {
		w = NewWindow(ws.limit)
		ws.byKey[k] = w
	}
	return w
}

// Limiter is a fake's rate limits: one window for the bot, one per chat and, for
// a chat that is a group, one per group (a fake whose platform has no group limit
// passes a Limit that is off). A nil Limiter, an unthrottled fake's, allows
// everything. It is not safe for concurrent use; the fakes guard it with their lock.
type Limiter[K comparable] struct {
	global        *Window
	chats, groups *Windows[K]
}

// NewLimiter returns the limits, nil when unthrottled.
func NewLimiter[K comparable](unthrottled bool, global, chat, group Limit) *Limiter[K] {
	if unthrottled {
		return nil
	}
	return &Limiter[K]{global: NewWindow(global), chats: NewWindows[K](chat), groups: NewWindows[K](group)}
}

// Take records a message to chat at now if every limit that applies (the group's
// too when group) allows it; otherwise it records nothing and returns the longest
// wait among the limits that refuse.
func (l *Limiter[K]) Take(now time.Time, chat K, group bool) time.Duration {
	switch {
	case l == nil:
		return 0
	case group:
		return Take(now, l.global, l.chats.For(chat), l.groups.For(chat))
	}
	return Take(now, l.global, l.chats.For(chat))
}
