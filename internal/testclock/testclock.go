// Package testclock holds the clocks tests move by hand: a settable clock
// whose Sleep advances it instead of waiting, and a recorder of the waits a
// client asks for. Code under test takes them as its injected now and sleep
// functions, so no test waits for time to pass.
package testclock

import (
	"context"
	"sync"
	"time"
)

// Clock is a clock that moves only when a test moves it (Set, Advance) or
// when the code under test sleeps on it (Sleep). It is safe for concurrent
// use.
type Clock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

// New returns a clock standing at t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Sleep stands in for a sleep function: it records d, advances the clock by
// d instead of waiting, and returns ctx's error.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return ctx.Err()
}

// Waits returns the waits Sleep was asked for so far, in order.
func (c *Clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// Sleeps stands in for a client's sleep function where no clock is needed:
// it records the waits asked for without waiting. The zero value is ready to
// use.
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
