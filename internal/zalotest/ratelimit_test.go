package zalotest

import (
	"fmt"
	"testing"
	"time"
)

// step advances the clock, sends to chat and expects acceptance or a 429.
type step struct {
	advance time.Duration
	chat    string
	ok      bool
}

func chats(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%020x", i+1)
	}
	return out
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	ids := chats(12)
	burst := func(n int, ok bool) []step { // n chats at the same instant
		var out []step
		for i := range n {
			out = append(out, step{chat: ids[i], ok: ok})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		opts  []Option
		steps []step
	}{
		{name: "per chat: 1 per second", steps: []step{
			{0, ids[0], true},
			{0, ids[0], false},
			{999 * time.Millisecond, ids[0], false},
			{time.Millisecond, ids[0], true},
			{0, ids[1], true}, // other chats are not affected
		}},
		{name: "global: 10 per second", steps: append(append(burst(10, true),
			step{0, ids[10], false},
			step{0, ids[11], false}),
			step{time.Second, ids[10], true}),
		},
		{name: "custom limits", opts: []Option{WithLimits(Limit{N: 3, Per: time.Minute}, Limit{N: 2, Per: time.Second})}, steps: []step{
			{0, ids[0], true},
			{0, ids[0], true},
			{0, ids[0], false}, // per chat
			{0, ids[1], true},
			{0, ids[2], false}, // global
			{time.Second, ids[2], false},
			{time.Minute, ids[2], true},
		}},
		{name: "per-chat limit off", opts: []Option{WithLimits(Limit{}, Limit{N: -1})}, steps: []step{
			{0, ids[0], true}, {0, ids[0], true}, {0, ids[0], true},
		}},
		{name: "unthrottled", opts: []Option{Unthrottled()}, steps: append(burst(12, true), step{0, ids[0], true})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			s := NewServer(t, append(tc.opts, WithClock(clock.Now))...)
			for _, id := range ids {
				s.AddChat(Chat{ID: id})
			}
			accepted, refused := 0, 0
			for i, st := range tc.steps {
				clock.Advance(st.advance)
				r := call(t, s, "sendMessage", text(st.chat, fmt.Sprintf("tin %d", i)))
				if st.ok {
					if r.Status != 200 {
						t.Fatalf("step %d: %d %s, want accepted", i, r.Status, r.Raw)
					}
					accepted++
					continue
				}
				wantErr(t, r, 429, "Too Many Requests: quota exceeded")
				refused++
			}
			if s.Accepted() != accepted || s.Count429() != refused {
				t.Errorf("accepted %d (want %d), 429s %d (want %d)", s.Accepted(), accepted, s.Count429(), refused)
			}
		})
	}
}

func TestRateLimitCountsPhotosNotActions(t *testing.T) {
	t.Parallel()
	s := NewServer(t, WithClock(newClock().Now))
	s.AddChat(Chat{ID: hoa})
	wantOK(t, call(t, s, "sendPhoto", map[string]any{"chat_id": hoa, "photo": "https://loa.example/a.jpg"}), nil)
	wantOK(t, call(t, s, "sendChatAction", map[string]any{"chat_id": hoa, "action": "typing"}), nil)
	wantErr(t, call(t, s, "sendMessage", text(hoa, "x")), 429, "Too Many Requests: quota exceeded")
}
