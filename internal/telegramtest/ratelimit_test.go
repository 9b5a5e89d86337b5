package telegramtest

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{{time.Nanosecond, 1}, {time.Second, 1}, {time.Second + 1, 2}, {40500 * time.Millisecond, 41}} {
		if got := retryAfter(tc.d); got != tc.want {
			t.Errorf("retryAfter(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

// send sends text to chat and returns the library's retry_after (0 when sent).
func send(t *testing.T, bot *tgbotapi.BotAPI, chat int64) int {
	t.Helper()
	_, err := bot.Send(tgbotapi.NewMessage(chat, "Tin mới"))
	if err == nil {
		return 0
	}
	apiErr := wantAPIError(t, err, 429, fmt.Sprintf("Too Many Requests: retry after %d", retryAfterOf(err)))
	return apiErr.RetryAfter
}

func retryAfterOf(err error) int {
	if e, ok := err.(*tgbotapi.Error); ok {
		return e.RetryAfter
	}
	return -1
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
		// steps: advance the clock, send to chat, expect retry_after (0 = sent).
		steps []struct {
			advance time.Duration
			chat    int64
			retry   int
		}
	}{
		{name: "per chat", steps: steps(
			0, hoa.ID, 0,
			0, hoa.ID, 1,
			500*time.Millisecond, hoa.ID, 1,
			500*time.Millisecond, hoa.ID, 0, // exactly 1 s after the first
			0, minh.ID, 0, // another chat is not affected
		)},
		{name: "per chat just too early", steps: steps(
			0, hoa.ID, 0,
			999*time.Millisecond, hoa.ID, 1,
			time.Millisecond, hoa.ID, 0,
		)},
		{name: "group 20 per minute", steps: append(stepsEvery(20, time.Second, group),
			stepsOf(
				0, group, 41, // 20 sent in [0 s, 19 s]: the first leaves at 60 s
				time.Second, group, 40,
				39*time.Second, group, 1,
				time.Second, group, 0,
			)...)},
		{name: "channel 20 per minute", steps: append(stepsEvery(20, 2*time.Second, channel),
			stepsOf(2*time.Second, channel, 20, 20*time.Second, channel, 0)...)},
		{name: "global 30 per second", steps: append(stepsDistinct(30, 0),
			stepsOf(0, 5000, 1, time.Second, 5000, 0)...)},
		{name: "unthrottled", opts: []Option{Unthrottled()}, steps: stepsEvery(50, 0, group)},
		{name: "custom limits", opts: []Option{WithLimits(Limit{N: 3, Per: time.Second}, Limit{N: -1}, Limit{N: -1})},
			steps: stepsOf(0, hoa.ID, 0, 0, hoa.ID, 0, 0, group, 0, 0, group, 1, time.Second, group, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			s := NewServer(t, append([]Option{WithClock(clock.Now)}, tc.opts...)...)
			s.AddChat(Chat{ID: group, Type: Group})
			s.AddChat(Chat{ID: channel, Type: Channel})
			bot := newBot(t, s)
			want429 := 0
			for i, st := range tc.steps {
				clock.Advance(st.advance)
				s.AddChat(Chat{ID: st.chat}) // private chats on the fly
				if got := send(t, bot, st.chat); got != st.retry {
					t.Fatalf("step %d (chat %d): retry_after %d, want %d", i, st.chat, got, st.retry)
				}
				if st.retry != 0 {
					want429++
				}
			}
			if s.Count429() != want429 {
				t.Errorf("Count429 = %d, want %d", s.Count429(), want429)
			}
		})
	}
}

type step = struct {
	advance time.Duration
	chat    int64
	retry   int
}

// steps builds steps from (advance, chat, retry) triples.
func steps(args ...any) []step { return stepsOf(args...) }

func stepsOf(args ...any) []step {
	var out []step
	for i := 0; i+2 < len(args); i += 3 {
		d, _ := args[i].(time.Duration)
		if n, ok := args[i].(int); ok {
			d = time.Duration(n)
		}
		var chat int64
		switch c := args[i+1].(type) {
		case int64:
			chat = c
		case int:
			chat = int64(c)
		}
		out = append(out, step{advance: d, chat: chat, retry: args[i+2].(int)})
	}
	return out
}

// stepsEvery sends n messages to chat, every, all accepted.
func stepsEvery(n int, every time.Duration, chat int64) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = step{advance: every, chat: chat}
		if i == 0 {
			out[i].advance = 0
		}
	}
	return out
}

// stepsDistinct sends n messages to n private chats, every, all accepted.
func stepsDistinct(n int, every time.Duration) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = step{advance: every, chat: int64(3000 + i)}
	}
	return out
}

// A sender that paces itself at the limits never sees a 429.
func TestPacedSenderNeverLimited(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	s.AddChat(Chat{ID: hoa.ID})
	s.AddChat(Chat{ID: group, Type: Group})
	bot := newBot(t, s)
	// 1 s apart in one private chat.
	for range 100 {
		if r := send(t, bot, hoa.ID); r != 0 {
			t.Fatalf("paced private chat got retry_after %d", r)
		}
		clock.Advance(time.Second)
	}
	// 3 s apart in a group: 20 per minute.
	for range 60 {
		if r := send(t, bot, group); r != 0 {
			t.Fatalf("paced group got retry_after %d", r)
		}
		clock.Advance(3 * time.Second)
	}
	// 1/30 s apart across chats (rounded up to the nanosecond).
	step := (time.Second + 29) / 30
	for i := range 300 {
		s.AddChat(Chat{ID: int64(10000 + i)})
		if r := send(t, bot, int64(10000+i)); r != 0 {
			t.Fatalf("message %d at 30/s got retry_after %d", i, r)
		}
		clock.Advance(step)
	}
	if s.Count429() != 0 || s.Accepted() != 460 {
		t.Errorf("429s %d, accepted %d", s.Count429(), s.Accepted())
	}
}

// The 429 has the real shape, including the HTTP status.
func TestTooManyRequestsWire(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := NewServer(t, WithClock(clock.Now))
	s.AddChat(Chat{ID: hoa.ID})
	form := url.Values{"chat_id": {"1001"}, "text": {"x"}}
	if status, _ := post(t, s, "sendMessage", form); status != 200 {
		t.Fatalf("first send: %d", status)
	}
	status, body := post(t, s, "sendMessage", form)
	want := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
	if status != 429 || body != want {
		t.Errorf("got %d %s\nwant 429 %s", status, body, want)
	}
	s.Script(group, Migrated(supergroup))
	s.AddChat(Chat{ID: group, Type: Group})
	status, body = post(t, s, "sendMessage", url.Values{"chat_id": {"-4001"}, "text": {"x"}})
	want = `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`
	if status != 400 || body != want {
		t.Errorf("got %d %s\nwant 400 %s", status, body, want)
	}
}
