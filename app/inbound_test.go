package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
	"loa/internal/await"
	"loa/internal/telegramtest"
	"loa/store"
)

// One group member floods the bot with commands: the group's answers are paced (one a
// second per chat at most, 20 a minute per group), and a private member who writes
// afterwards is answered at once, not after the group's queue.
func TestOneChatsFloodDoesNotDelayAnotherChatsAnswer(t *testing.T) {
	t.Parallel()
	fake, dbURL, _ := telegramRig(t)
	const group, private = -700, 701
	flooder := telegramtest.User{ID: 702, FirstName: "Tuấn"}
	asker := telegramtest.User{ID: private, FirstName: "Mai"}
	fake.AddChat(telegramtest.Chat{ID: group, Type: "group", Title: "Chi bộ 3"})
	fake.AddChat(telegramtest.Chat{ID: private, Type: "private", FirstName: "Mai"})

	start(t, dbURL, tgEnv(fake)...)
	const flood = 24
	for range flood {
		fake.PushUpdate(fake.Command(group, flooder, "/latest@loa_test_bot"))
	}
	fake.PushUpdate(fake.Command(private, asker, "/help"))

	// Paced at a second a reply, the group's 24 answers take at least 24 s: the private
	// answer must not wait for them.
	await.On(t, fake, "the private member's answer", 10*time.Second, func() bool { return len(fake.Messages(private)) > 0 })
	n := len(fake.Messages(group))
	t.Logf("the private member was answered when the group had %d of its %d answers", n, flood)
	if n >= flood/2 {
		t.Fatalf("the private answer came after %d of the group's %d answers: one chat's pacing held up another", n, flood)
	}
	if got := texts(fake, private)[0]; !strings.Contains(got, "/start") {
		t.Errorf("private answer = %q, want the help text", got)
	}
}

// A member's /start is being handled when the replica stops, before the subscription
// is committed. The next replica handles it again: the member is subscribed and
// welcomed, not dropped as "already seen".
func TestInterruptedUpdateIsHandledAgainByTheNextReplica(t *testing.T) {
	t.Parallel()
	fake, dbURL, st := telegramRig(t)
	ctx := context.Background()
	const chatID = 801
	member := telegramtest.User{ID: chatID, FirstName: "Hùng"}
	fake.AddChat(telegramtest.Chat{ID: chatID, Type: "private", FirstName: "Hùng"})

	// Hold writes to subscribers, so that the /start blocks before its change commits.
	lock, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(ctx)
	tx, err := lock.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // rolled back below; a second rollback is a no-op
	if _, err := tx.Exec(ctx, `LOCK TABLE subscribers IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var lockPID int
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&lockPID); err != nil {
		t.Fatal(err)
	}

	watch, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)

	first := start(t, dbURL, tgEnv(fake)...)
	fake.PushUpdate(fake.Command(chatID, member, "/start"))
	await.Until(t, "the /start to wait on the subscribers lock", func() bool {
		// pg_stat_activity is read once per transaction: ask outside the lock's.
		var n int
		err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, lockPID).Scan(&n)
		return err == nil && n > 0
	})
	first.stop(t) // the process stops mid-update: nothing about the member was committed
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubscriberByChat(ctx, chat.Telegram, strconv.Itoa(chatID)); err == nil {
		t.Fatal("the member was subscribed by the stopped replica")
	}

	start(t, dbURL, tgEnv(fake)...)
	await.Until(t, "the member to be subscribed by the next replica", func() bool {
		s, err := st.SubscriberByChat(ctx, chat.Telegram, strconv.Itoa(chatID))
		return err == nil && s.Status == store.StatusActive
	})
	await.On(t, fake, "the welcome", 10*time.Second, func() bool { return len(fake.Messages(chatID)) > 0 })
}

// Members' answers take send slots from the same shared rate as broadcasts: a burst of
// forty answers while a broadcast is going out at 10 a second never makes Telegram (the
// fake's strict 30 messages a second) answer 429, which would pause the broadcast.
// Outside the slots the burst alone exceeds the limit. (The rate leaves room for
// stalls on a loaded machine: bunching is the dispatcher's arrival window's business.)
func TestBurstOfAnswersDuringBroadcastDrawsNo429(t *testing.T) {
	t.Parallel()
	const subscribers, askers = 50, 40
	fake, dbURL, st := subscribedRig(t, 30_000, subscribers)
	start(t, dbURL, tgEnv(fake, "LOA_TELEGRAM_RATE", "10")...)
	announce(t, st, "ann:burst", "Thông báo")
	await.On(t, fake, "the broadcast to be under way", 10*time.Second, func() bool { return fake.Accepted() >= 5 })
	for i := range askers {
		id := int64(40_000 + i)
		fake.AddChat(telegramtest.Chat{ID: id, Type: "private", FirstName: "y"})
		fake.PushUpdate(fake.Command(id, telegramtest.User{ID: id, FirstName: "y"}, "/help"))
	}
	await.On(t, fake, "every answer and every delivery", 30*time.Second, func() bool { return fake.Accepted() >= subscribers+askers })
	for i := range askers {
		if n := len(fake.Messages(int64(40_000 + i))); n != 1 {
			t.Fatalf("member %d got %d answers, want 1", i, n)
		}
	}
	if n := fake.Count429(); n != 0 {
		t.Fatalf("%d 429s: answers and broadcasts must share the rate", n)
	}
}
