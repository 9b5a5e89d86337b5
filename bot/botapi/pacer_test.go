package botapi

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"loa/internal/testclock"
)

func TestPacerReserve(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
	p := NewPacer(clk.Now, time.Second)
	steps := []struct {
		chat    string
		advance time.Duration // before the call
		want    time.Duration
	}{
		{"a", 0, 0},
		{"a", 0, time.Second},
		{"a", 0, 2 * time.Second},
		{"b", 0, 0}, // chats are paced apart
		{"a", 5 * time.Second, 0},
		{"a", 300 * time.Millisecond, 700 * time.Millisecond},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if got := p.Reserve(s.chat); got != s.want {
			t.Errorf("step %d: Reserve(%q) = %v, want %v", i, s.chat, got, s.want)
		}
	}
	p.Delay("b", 10*time.Second)
	if got := p.Reserve("b"); got != 11*time.Second {
		t.Errorf("after Delay(10 s): Reserve = %v, want 11s", got)
	}
}

func TestPacerForgetsFreeChats(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
	p := NewPacer(clk.Now, time.Second)
	for i := range 5000 {
		p.Reserve(string(rune('a'+i%26)) + time.Duration(i).String())
		if i == 2500 {
			clk.Advance(time.Minute)
		}
	}
	if n := len(p.next); n > 4097 {
		t.Errorf("the pacer remembers %d chats", n)
	}
}

var errLimited = errors.New("429")

func TestPacerDo(t *testing.T) {
	t.Parallel()
	errOther := errors.New("400")
	tests := []struct {
		name      string
		results   []error // the calls' results in turn
		wait      time.Duration
		canceled  bool
		wantErr   error
		wantCalls int
		wantWaits []time.Duration
	}{
		{"ok", []error{nil}, 0, false, nil, 1, []time.Duration{0}},
		{"other error", []error{errOther}, 0, false, errOther, 1, []time.Duration{0}},
		{"retried", []error{errLimited, nil}, 3 * time.Second, false, nil, 2, []time.Duration{0, 3 * time.Second}},
		{"retried once", []error{errLimited, errLimited}, 3 * time.Second, false, errLimited, 2, []time.Duration{0, 3 * time.Second}},
		{"wait at the cap", []error{errLimited, nil}, MaxRetryWait, false, nil, 2, []time.Duration{0, MaxRetryWait}},
		{"wait too long", []error{errLimited}, MaxRetryWait + time.Second, false, errLimited, 1, []time.Duration{0}},
		{"canceled", []error{nil}, 0, true, context.Canceled, 0, []time.Duration{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := testclock.New(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
			p := NewPacer(clk.Now, time.Second)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.canceled {
				cancel()
			}
			calls := 0
			call := func() error {
				calls++
				return tc.results[calls-1]
			}
			limited := func(err error) (time.Duration, bool) { return tc.wait, errors.Is(err, errLimited) }
			if err := p.Do(ctx, "a", clk.Sleep, call, limited); !errors.Is(err, tc.wantErr) {
				t.Errorf("Do = %v, want %v", err, tc.wantErr)
			}
			if calls != tc.wantCalls || !slices.Equal(clk.Waits(), tc.wantWaits) {
				t.Errorf("%d calls after waits %v, want %d after %v", calls, clk.Waits(), tc.wantCalls, tc.wantWaits)
			}
		})
	}
}

func TestPacerDoDelaysTheChat(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
	p := NewPacer(clk.Now, time.Second)
	first := true
	call := func() error {
		if first {
			first = false
			return errLimited
		}
		return nil
	}
	limited := func(err error) (time.Duration, bool) { return 5 * time.Second, errors.Is(err, errLimited) }
	if err := p.Do(t.Context(), "a", clk.Sleep, call, limited); err != nil {
		t.Fatal(err)
	}
	// The retry came at +5 s; the chat's next slot is a spacing after it.
	if got := p.Reserve("a"); got != time.Second {
		t.Errorf("next call to the chat in %v, want 1s", got)
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	if err := Sleep(t.Context(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1 ms) = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context = %v, want canceled", err)
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) with an ended context = %v, want canceled", err)
	}
}

// sharedRate is a SharedRate that hands out slots a fixed wait apart and records
// pauses.
type sharedRate struct {
	mu       sync.Mutex
	wait     time.Duration
	reserved int
	paused   []time.Duration
	err      error
}

func (s *sharedRate) Sent(context.Context, string, time.Duration) {}

func (s *sharedRate) Reserve(context.Context, string, time.Duration) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reserved++
	return s.wait, s.err
}

func (s *sharedRate) Pause(_ context.Context, d time.Duration, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = append(s.paused, d)
	return nil
}

// With a shared rate, every call (the retry too) waits for a slot of it, and a rate
// limit pauses it for everyone; a group chat keeps its own, longer spacing; a store
// that cannot book a slot does not stop the call.
func TestPacerSharedRate(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Date(2024, 6, 5, 8, 0, 0, 0, time.UTC))
	p := NewPacer(clk.Now, time.Second)
	shared := &sharedRate{wait: 200 * time.Millisecond}
	p.Shared = shared
	first := true
	calls := 0
	call := func() error {
		calls++
		if first {
			first = false
			return errLimited
		}
		return nil
	}
	limited := func(err error) (time.Duration, bool) { return 5 * time.Second, errors.Is(err, errLimited) }
	if err := p.DoSpaced(t.Context(), "g", 3*time.Second, clk.Sleep, call, limited); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 200 * time.Millisecond, 5 * time.Second, 200 * time.Millisecond}
	if calls != 2 || shared.reserved != 2 || !slices.Equal(clk.Waits(), want) {
		t.Errorf("%d calls, %d slots, waits %v; want 2, 2, %v", calls, shared.reserved, clk.Waits(), want)
	}
	if !slices.Equal(shared.paused, []time.Duration{5 * time.Second}) {
		t.Errorf("paused %v, want the 429's 5s", shared.paused)
	}
	// The group's next reply waits for its own spacing (3 s), counted from the retry.
	if got := p.ReserveSpaced("g", 3*time.Second); got != 3*time.Second-200*time.Millisecond {
		t.Errorf("group's next reply in %v", got)
	}
	shared.err = errors.New("database down")
	if err := p.Do(t.Context(), "b", clk.Sleep, func() error { return nil }, limited); err != nil {
		t.Errorf("a failed slot booking stopped the reply: %v", err)
	}
}
