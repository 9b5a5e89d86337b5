package apitest

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	w := NewWindow(Limit{N: 2, Per: time.Second})
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, step := range []struct {
		at   time.Duration
		wait time.Duration
	}{
		{0, 0},
		{100 * time.Millisecond, 0},
		{200 * time.Millisecond, 800 * time.Millisecond}, // full: the one at 0 leaves at 1 s
		{999 * time.Millisecond, time.Millisecond},
		{time.Second, 0}, // the window is (now-1s, now]
		{1050 * time.Millisecond, 50 * time.Millisecond},
		{1100 * time.Millisecond, 0},
	} {
		now := base.Add(step.at)
		got := w.Wait(now)
		if got != step.wait {
			t.Fatalf("step %d at %v: wait %v, want %v", i, step.at, got, step.wait)
		}
		if got == 0 {
			w.Add(now)
		}
	}
}

func TestLimitOff(t *testing.T) {
	t.Parallel()
	for _, l := range []Limit{{}, {N: -1}, {N: 1}, {Per: time.Second}, {N: 3, Per: -time.Second}} {
		if !l.Off() {
			t.Errorf("%+v not off", l)
		}
		if w := NewWindow(l); w != nil {
			t.Errorf("NewWindow(%+v) = %v, want nil", l, w)
		}
	}
	var off *Window
	off.Add(time.Now())
	if d := off.Wait(time.Now()); d != 0 {
		t.Errorf("nil window waits %v", d)
	}
	def := Limit{N: 1, Per: time.Second}
	if got := (Limit{}).Or(def); got != def {
		t.Errorf("zero Or = %+v", got)
	}
	if got := (Limit{N: -1}).Or(def); got != (Limit{N: -1}) {
		t.Errorf("off Or = %+v", got)
	}
}

// Take records in every window or in none, and reports the longest wait.
func TestTake(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	global := NewWindow(Limit{N: 3, Per: time.Minute})
	chats := NewWindows[string](Limit{N: 1, Per: time.Second})
	take := func(chat string) time.Duration { return Take(now, global, chats.For(chat), nil) }
	for i, step := range []struct {
		advance time.Duration
		chat    string
		want    time.Duration
	}{
		{0, "a", 0},
		{0, "a", time.Second}, // per chat; the global window records nothing
		{0, "b", 0},
		{0, "c", 0},
		{0, "d", time.Minute}, // global: a, b, c
		{30 * time.Second, "d", 30 * time.Second},
		{30 * time.Second, "d", 0},
	} {
		now = now.Add(step.advance)
		if got := take(step.chat); got != step.want {
			t.Fatalf("step %d (%s): wait %v, want %v", i, step.chat, got, step.want)
		}
	}
	if w := NewWindows[int64](Limit{N: -1}).For(1); w != nil {
		t.Errorf("off limit gave window %v", w)
	}
}

// A Limiter applies the group window only to groups, and an unthrottled one allows
// everything.
func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	second := Limit{N: 1, Per: time.Second}
	l := NewLimiter[int](false, Limit{N: 10, Per: time.Second}, second, Limit{N: 1, Per: time.Minute})
	if d := l.Take(now, 1, true); d != 0 {
		t.Fatalf("first message to a group waits %v", d)
	}
	now = now.Add(2 * time.Second)
	if d := l.Take(now, 1, true); d != 58*time.Second {
		t.Errorf("second message to the group waits %v, want the group's 58s", d)
	}
	if d := l.Take(now, 2, false); d != 0 {
		t.Errorf("a private chat waits %v for the group limit", d)
	}
	if d := l.Take(now, 2, false); d != time.Second {
		t.Errorf("second message to the private chat waits %v, want 1s", d)
	}
	off := NewLimiter[int](true, second, second, second)
	for range 3 {
		if d := off.Take(now, 1, true); d != 0 {
			t.Fatalf("unthrottled limiter waits %v", d)
		}
	}
}
