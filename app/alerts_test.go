package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"loa/chat"
	"loa/internal/dbtest"
	"loa/store"
)

// TestReportFailures: a broadcast that finished with failures is reported to the
// admins once, with its counts and reasons by code; the alert itself is never reported.
func TestReportFailures(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	ctx := context.Background()
	adm := &admins{store: st, admins: []int64{42}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, addr := range []string{"1", "2", "3"} {
		if _, _, err := st.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: addr, Kind: chat.KindPrivate}); err != nil {
			t.Fatal(err)
		}
	}
	id, _, err := st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "ann:1", Kind: store.KindAnnouncement, Topic: "news", Title: "Họp chi bộ"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := st.ClaimDeliveries(ctx, chat.Telegram, time.Minute, 10, "test")
	if err != nil || len(ds) != 3 {
		t.Fatalf("claimed %d, %v", len(ds), err)
	}
	for i, d := range ds {
		if i == 0 {
			err = st.MarkSent(ctx, d.ID, d.Claim, 1, 0)
		} else {
			err = st.FailDelivery(ctx, d.ID, d.Claim, store.ReasonTooLong, "too_long (rejected): message is too long")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := adm.reportFailures(ctx); err != nil {
			t.Fatal(err)
		}
	}
	bs, err := st.BroadcastStats(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []store.BroadcastStat
	for _, b := range bs {
		if b.Kind == store.KindAlert {
			alerts = append(alerts, b)
		}
	}
	if len(alerts) != 1 || alerts[0].Pending != 1 ||
		!strings.Contains(alerts[0].Summary, "1 thành công, 2 thất bại") || !strings.Contains(alerts[0].Summary, "2 × failed: too_long") {
		t.Fatalf("alerts = %+v; want one, to admin 42, about broadcast %d", alerts, id)
	}
}
