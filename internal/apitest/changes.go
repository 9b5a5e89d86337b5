package apitest

import (
	"context"
	"sync"
)

// Changes tells waiters that a fake's state changed (a message accepted, an
// error answered, updates queued): each Notify closes the channel C handed
// out and starts a new one, so a waiter takes C, checks its condition, and
// waits on what it took without missing a change in between. The zero value
// is ready to use and it is safe for concurrent use; the fakes call it with
// their own mutex held so that C and the state it guards are read together.
type Changes struct {
	mu sync.Mutex
	ch chan struct{}
}

// C is closed at the next Notify.
func (c *Changes) C() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

// Notify wakes everything waiting on C.
func (c *Changes) Notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch != nil {
		close(c.ch)
	}
	c.ch = make(chan struct{})
}

// WaitFor returns nil when cond() is true, re-checking after every Notify;
// ctx's error when ctx ends first; closed when done closes first. cond runs
// without any lock held, so it may call the fake's accessors.
func (c *Changes) WaitFor(ctx context.Context, done <-chan struct{}, closed error, cond func() bool) error {
	for {
		ch := c.C()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return closed
		}
	}
}
