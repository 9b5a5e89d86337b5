package apitest

import (
	"context"
	"sync"
	"time"
)

// Clock is a clock that moves only when a test moves it, for a fake's
// Options.Now and the clients under test. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Sleep advances the clock by d instead of waiting (a client's sleep
// function); it returns ctx's error.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.Advance(d)
	}
	return ctx.Err()
}

// Sleeps stands in for a client's sleep function: it records the waits asked
// for without waiting. The zero value is ready to use.
type Sleeps struct {
	// After, when set, runs after each recorded wait with their number so far
	// (e.g. to stop the test).
	After func(n int)

	mu sync.Mutex
	d  []time.Duration
}

// Sleep records d and returns ctx's error.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	n := len(s.d)
	after := s.After
	s.mu.Unlock()
	if after != nil {
		after(n)
	}
	return ctx.Err()
}

// Waits returns the waits recorded so far, in order.
func (s *Sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}
