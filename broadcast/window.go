package broadcast

import (
	"context"
	"sync"
	"time"
)

// window guards the API's own per-second limit on top of the pacing. Slots space sends
// evenly when they leave, but a network or server stall can make several arrive
// together, and the API counts arrivals. So before each send the window checks that
// the sends still in flight plus those answered within the last second are fewer than
// the limit: every send the API may count in the second before a new one is then
// already counted here, and a stall delays sending instead of turning into 429s.
type window struct {
	limit int
	now   func() time.Time

	mu       sync.Mutex
	inflight int
	done     []time.Time // answer times, oldest first, within the last second or so
	changed  chan struct{}
}

func newWindow(limit int, now func() time.Time) *window {
	return &window{limit: max(limit, 1), now: now, changed: make(chan struct{})}
}

// acquire waits until a send may start and counts it in flight.
func (w *window) acquire(ctx context.Context) bool {
	for {
		w.mu.Lock()
		now := w.now()
		for len(w.done) > 0 && now.Sub(w.done[0]) >= time.Second {
			w.done = w.done[1:]
		}
		if w.inflight+len(w.done) < w.limit {
			w.inflight++
			w.mu.Unlock()
			return true
		}
		changed := w.changed
		wait := time.Hour // only an answer can free a place
		if len(w.done) > 0 {
			wait = w.done[0].Add(time.Second).Sub(now)
		}
		w.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// release records that a send was answered (whatever the answer).
func (w *window) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inflight--
	w.done = append(w.done, w.now())
	close(w.changed)
	w.changed = make(chan struct{})
}
