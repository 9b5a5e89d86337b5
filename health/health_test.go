package health

import (
	"fmt"
	"testing"
	"time"

	"loa/internal/testclock"
)

func TestStalledLoops(t *testing.T) {
	t.Parallel()
	c := testclock.New(time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC))
	m := New(time.Minute, c.Now)
	delivery := m.Loop("delivery telegram")
	leadership := m.Loop("leadership")
	if s := m.Stalled(); len(s) != 0 {
		t.Fatalf("fresh loops stalled: %v", s)
	}

	// Both beat every second for two minutes: alive.
	for range 120 {
		c.Advance(time.Second)
		delivery()
		leadership()
	}
	if s := m.Stalled(); len(s) != 0 {
		t.Fatalf("beating loops stalled: %v", s)
	}

	// The delivery loop gets stuck in one call: stalled once past the limit, not before.
	for range 60 {
		c.Advance(time.Second)
		leadership()
	}
	if s := m.Stalled(); len(s) != 0 {
		t.Fatalf("a loop stalled at exactly the limit: %v", s)
	}
	c.Advance(time.Second)
	leadership()
	if s := fmt.Sprint(m.Stalled()); s != "[{delivery telegram 1m1s}]" {
		t.Fatalf("stalled = %s", s)
	}

	// It comes back: alive again.
	delivery()
	if s := m.Stalled(); len(s) != 0 {
		t.Fatalf("after a beat: %v", s)
	}

	// A loop stopped on purpose is forgotten, however long ago it beat.
	m.Loop("inbound telegram")
	c.Advance(time.Hour)
	delivery()
	leadership()
	m.Forget("inbound telegram")
	if s := m.Stalled(); len(s) != 0 {
		t.Fatalf("a forgotten loop stalled: %v", s)
	}
	if got := fmt.Sprint(m.Loops()); got != "[delivery telegram leadership]" {
		t.Fatalf("loops = %s", got)
	}
}

func TestDefaultLimit(t *testing.T) {
	t.Parallel()
	if got := New(0, nil).Limit(); got != DefaultStallLimit {
		t.Fatalf("limit = %s", got)
	}
}
