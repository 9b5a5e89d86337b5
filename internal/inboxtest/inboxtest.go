// Package inboxtest has stand-ins for bot/inbox in the messenger adapters' tests: one
// that handles each update as it is added, and one that only keeps what it is given.
// Both adapters' tests use them, so the two test suites share one copy.
package inboxtest

import (
	"context"
	"fmt"
	"sync"

	"loa/bot/botapi"
	"loa/bot/inbox"
)

// Direct handles each update as it is added, in the caller's goroutine, through the
// adapter's Parse and CarryOut, and ignores an id it has seen (a redelivery).
type Direct struct {
	a    inbox.Adapter
	h    inbox.Handler
	mu   sync.Mutex
	seen map[string]bool
}

// NewDirect returns a Direct inbox for adapter a, answering with h.
func NewDirect(a inbox.Adapter, h inbox.Handler) *Direct {
	return &Direct{a: a, h: h, seen: map[string]bool{}}
}

// Add implements botapi.Inbox: it parses, handles and carries out each new update, and
// fails when an update was stored under another chat than the one it names.
func (d *Direct) Add(ctx context.Context, us []botapi.Inbound) error {
	for _, in := range us {
		d.mu.Lock()
		dup := d.seen[in.ID]
		d.seen[in.ID] = true
		d.mu.Unlock()
		if dup {
			continue
		}
		u, err := d.a.Parse(in.Payload)
		if err != nil {
			return err
		}
		if u.Chat.Address != in.Chat {
			return fmt.Errorf("update %s stored under chat %q, parsed as %q", in.ID, in.Chat, u.Chat.Address)
		}
		d.a.CarryOut(ctx, u, d.h.Handle(ctx, u))
	}
	return nil
}

// Storing keeps what it is given without handling it; it refuses the first fail calls,
// as a database that is down would.
type Storing struct {
	mu    sync.Mutex
	fail  int
	calls int
	got   []botapi.Inbound
	added chan struct{}
}

// NewStoring returns a Storing inbox that refuses its first fail calls.
func NewStoring(fail int) *Storing {
	return &Storing{fail: fail, added: make(chan struct{}, 100)}
}

// Add implements botapi.Inbox.
func (s *Storing) Add(_ context.Context, us []botapi.Inbound) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail > 0 {
		s.fail--
		return fmt.Errorf("database unreachable")
	}
	s.got = append(s.got, us...)
	select {
	case s.added <- struct{}{}:
	default: // nobody is waiting on more than a hundred adds
	}
	return nil
}

// Added receives a value after each Add that stored something.
func (s *Storing) Added() <-chan struct{} { return s.added }

// All returns what was stored, in order, and how many times Add was called.
func (s *Storing) All() ([]botapi.Inbound, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]botapi.Inbound(nil), s.got...), s.calls
}
