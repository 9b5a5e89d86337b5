// Package health tells whether a replica's loops are alive, for /healthz: each loop
// (delivery per channel, leadership, inbound updates) beats at least once a second
// while it runs, including while it deliberately waits, and never from inside a
// blocking call. A loop that has not beaten within the stall limit is stuck inside one
// call, and only a restart is sure to free it.
//
// Whether the database answers is not a loop's health: loops keep beating through a
// database outage (every call has a deadline), so an outage shows on /readyz and never
// restarts every replica at once.
package health

import (
	"sort"
	"sync"
	"time"
)

// DefaultStallLimit is how long a loop may go without a beat (LOA_STALL_LIMIT).
const DefaultStallLimit = 60 * time.Second

// Monitor keeps the loops' last beats. It is safe for concurrent use.
type Monitor struct {
	limit time.Duration
	now   func() time.Time

	mu    sync.Mutex
	loops map[string]time.Time
}

// New returns a monitor that judges loops stalled after limit (DefaultStallLimit if
// not positive), by the clock now (time.Now if nil).
func New(limit time.Duration, now func() time.Time) *Monitor {
	if limit <= 0 {
		limit = DefaultStallLimit
	}
	if now == nil {
		now = time.Now
	}
	return &Monitor{limit: limit, now: now, loops: map[string]time.Time{}}
}

// Limit is the stall limit.
func (m *Monitor) Limit() time.Duration { return m.limit }

// Loop watches the loop called name, from now on, and returns its heartbeat: the loop
// calls it once per iteration and at least once a second while it waits.
func (m *Monitor) Loop(name string) func() {
	m.beat(name)
	return func() { m.beat(name) }
}

// Forget stops watching the loop called name (a loop that stopped on purpose, such as
// long polling when this replica stops leading).
func (m *Monitor) Forget(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.loops, name)
}

func (m *Monitor) beat(name string) {
	t := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loops[name] = t
}

// Stall is a loop that has not beaten within the limit.
type Stall struct {
	Loop string
	// Since is how long ago it last beat.
	Since time.Duration
}

// Stalled returns the stalled loops by name; none when all are alive.
func (m *Monitor) Stalled() []Stall {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Stall
	for name, last := range m.loops {
		if since := now.Sub(last); since > m.limit {
			out = append(out, Stall{Loop: name, Since: since})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Loop < out[j].Loop })
	return out
}

// Loops returns the names of the loops watched, sorted.
func (m *Monitor) Loops() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.loops))
	for name := range m.loops {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
