package botapi

import (
	"cmp"
	"context"
	"sync"
	"time"
)

// MaxRetryWait is the longest rate-limit wait a paced call sits out before its one
// retry; a member will not wait longer for an answer, and the poll loop should not
// stall.
const MaxRetryWait = 30 * time.Second

// Pacer spaces an adapter's calls to each chat (its replies: broadcasts are paced by
// the engine) and retries a call once after a rate limit. It is safe for concurrent
// use.
type Pacer struct {
	now     func() time.Time
	spacing time.Duration
	mu      sync.Mutex
	next    map[string]time.Time // the earliest time of the next call to a chat

	// Shared, when set, is the channel's rate shared with broadcasts: every call takes
	// a slot of it, and a rate limit pauses it. Set before the first call.
	Shared SharedRate
}

// NewPacer returns a Pacer that lets calls to one chat start spacing apart, by the
// clock now.
func NewPacer(now func() time.Time, spacing time.Duration) *Pacer {
	return &Pacer{now: now, spacing: spacing, next: make(map[string]time.Time)}
}

// Reserve books the chat's next slot and returns how long to wait for it.
func (p *Pacer) Reserve(chat string) time.Duration { return p.ReserveSpaced(chat, p.spacing) }

// ReserveSpaced books the chat's next slot, keeping the chat free for spacing after
// it, and returns how long to wait for it.
func (p *Pacer) ReserveSpaced(chat string, spacing time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	at := p.next[chat]
	if at.Before(now) {
		at = now
	}
	p.next[chat] = at.Add(spacing)
	if len(p.next) > 4096 { // forget chats that are free again
		for k, t := range p.next {
			if t.Before(now) {
				delete(p.next, k)
			}
		}
	}
	return at.Sub(now)
}

// Delay pushes the chat's next slot back to d from now, plus the spacing (after a
// rate limit).
func (p *Pacer) Delay(chat string, d time.Duration) { p.delay(chat, d, p.spacing) }

func (p *Pacer) delay(chat string, d, spacing time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at := p.now().Add(d + spacing); at.After(p.next[chat]) {
		p.next[chat] = at
	}
}

// Do makes call to chat in the chat's next slot, waiting for it with sleep. When
// rateLimited says the call's error is a rate limit with a wait of at most
// MaxRetryWait, it delays the chat, waits and calls once more; otherwise, or when ctx
// ends during the wait, it returns the call's error. rateLimited(nil) must report
// false.
func (p *Pacer) Do(ctx context.Context, chat string, sleep func(ctx context.Context, d time.Duration) error,
	call func() error, rateLimited func(err error) (wait time.Duration, ok bool)) error {
	return p.DoSpaced(ctx, chat, p.spacing, sleep, call, rateLimited)
}

// DoSpaced is Do with the chat's own spacing (a group is paced slower than a private
// chat). With Shared set, each call also waits for a slot of the channel's shared
// rate, and a rate limit pauses the whole channel. The waits happen in the caller's
// goroutine: they hold up this chat's answers, nobody else's.
func (p *Pacer) DoSpaced(ctx context.Context, chat string, spacing time.Duration, sleep func(ctx context.Context, d time.Duration) error,
	call func() error, rateLimited func(err error) (wait time.Duration, ok bool)) error {
	pre := p.ReserveSpaced(chat, spacing)
	var err error
	for attempt := 0; ; attempt++ {
		if serr := sleep(ctx, pre); serr != nil {
			return cmp.Or(err, serr)
		}
		if p.Shared != nil {
			// A store that cannot book a slot must not cost the member the answer: the
			// call goes out unbooked (the API's own limit is the backstop).
			if wait, rerr := p.Shared.Reserve(ctx, chat, spacing); rerr == nil {
				if serr := sleep(ctx, wait); serr != nil {
					return cmp.Or(err, serr)
				}
			}
		}
		err = call()
		if err == nil && p.Shared != nil {
			p.Shared.Sent(ctx, chat, spacing)
		}
		wait, ok := rateLimited(err)
		if !ok || wait > MaxRetryWait || attempt > 0 {
			return err
		}
		if p.Shared != nil {
			_ = p.Shared.Pause(ctx, wait, err.Error()) // the retry below waits either way
		}
		p.delay(chat, wait, spacing)
		pre = wait
	}
}

// Sleep waits for d, or less if ctx ends first, and returns ctx's error if it has
// one. The adapters sleep through a field holding it, which tests replace to move a
// fake clock instead.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
