package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"loa/chat"
	"loa/store"
)

// checkCounts compares a broadcast's progress and failures, as the reads give them,
// with a count of its rows.
func checkCounts(t *testing.T, s *store.Store, id int64, step string) store.BroadcastStat {
	t.Helper()
	ctx := context.Background()
	b, fails, err := s.BroadcastDetail(ctx, id)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	total, sent, failed, cancelled, pending, want, err := s.RowCounts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != total || b.Sent != sent || b.Failed != failed || b.Cancelled != cancelled || b.Pending != pending {
		t.Fatalf("%s: broadcast %d reads %d total, %d sent, %d failed, %d cancelled, %d pending; rows say %d, %d, %d, %d, %d",
			step, id, b.Total, b.Sent, b.Failed, b.Cancelled, b.Pending, total, sent, failed, cancelled, pending)
	}
	if fmt.Sprint(fails) != fmt.Sprint(want) {
		t.Fatalf("%s: failures %v, rows say %v", step, fails, want)
	}
	return b
}

// TestCountersFollowEveryWrite: fan-out, claims, outcomes, cancels, a subscriber gone,
// a chat migrated — each leaves the counters equal to a count of the rows, in the same
// transaction, and deleting rows changes no count.
func TestCountersFollowEveryWrite(t *testing.T) {
	s, ctx := parallelStore(t)
	var subs []store.Subscriber
	for i := range 40 {
		subs = append(subs, subscribe(t, s, chat.Telegram, fmt.Sprint(1000+i), chat.KindPrivate))
	}
	subscribe(t, s, chat.Zalo, "z1", chat.KindPrivate)
	subscribe(t, s, chat.Telegram, "-100", chat.KindGroup)
	a := broadcast(t, s, "a", "news", "")
	b := broadcast(t, s, "b", "news", "")
	checkCounts(t, s, a, "fan-out")
	if got := checkCounts(t, s, b, "fan-out"); got.Pending != 42 {
		t.Fatalf("fan-out counted %d pending, want 42", got.Pending)
	}

	// Outcomes recorded side by side on many connections (the counters' shards).
	ds := claim(t, s, chat.Telegram, 100)
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Go(func() {
			var err error
			switch i % 4 {
			case 0, 1:
				err = s.MarkSent(ctx, d.ID, d.Claim, 1, 0)
			case 2:
				err = s.FailDelivery(ctx, d.ID, d.Claim, store.ReasonTooLong, "message is too long")
			case 3:
				err = s.RetryDelivery(ctx, d.ID, d.Claim, 0, "http_502 (transient)", true)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	checkCounts(t, s, a, "outcomes")

	if err := s.SetSubscriberStatus(ctx, chat.Telegram, subs[3].Address, store.StatusGone, "blocked"); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, b, "subscriber gone")
	if err := s.SetSubscriberStatus(ctx, chat.Telegram, subs[7].Address, store.StatusStopped, "/stop"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MigrateChat(ctx, chat.Telegram, "-100", "-1001"); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, b, "stopped, migrated")
	if _, err := s.As(store.Actor{ID: "cli:test", Via: store.ViaCLI}).CancelBroadcast(ctx, b); err != nil {
		t.Fatal(err)
	}
	got := checkCounts(t, s, b, "cancel")
	if got.Pending != 0 || got.Cancelled == 0 {
		t.Fatalf("after cancel: %+v", got)
	}
	_, fails, err := s.BroadcastDetail(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fails {
		if f.Status == store.DeliveryFailed && f.Reason != "too_long" || f.Status == store.DeliveryCancelled && f.Reason != "subscriber_gone" {
			t.Errorf("failure reason %q: want the code too_long, not the text", f.Reason)
		}
	}

	// Counts outlive the rows.
	before := checkCounts(t, s, a, "before delete")
	if err := s.Exec(ctx, `DELETE FROM deliveries WHERE broadcast_id = $1 AND status <> 'pending'`, a); err != nil {
		t.Fatal(err)
	}
	after, _, err := s.BroadcastDetail(ctx, a)
	if err != nil || after.Total != before.Total || after.Sent != before.Sent || after.Failed != before.Failed {
		t.Fatalf("after deleting the finished rows: %+v, %v; want the counts of %+v", after, err, before)
	}
}

// TestOldBroadcastsAreCountedLater: a broadcast made before the counters (counted false,
// no counters, free-text reasons) reads from its rows until the leader counts it, even
// while it is sending; the counts then equal its rows, reasons mapped to codes.
func TestOldBroadcastsAreCountedLater(t *testing.T) {
	s, ctx := parallelStore(t)
	for i := range 30 {
		subscribe(t, s, chat.Telegram, fmt.Sprint(i), chat.KindPrivate)
	}
	finished := broadcast(t, s, "old-finished", "news", "")
	sending := broadcast(t, s, "old-sending", "news", "")
	// As migration 008 finds them: rows finished by code without reason codes.
	for _, q := range []string{
		`UPDATE deliveries SET status = 'sent', finished_at = now() - interval '2 days' WHERE subscriber_id % 3 = 0 AND broadcast_id = ` + fmt.Sprint(finished),
		`UPDATE deliveries SET status = 'failed', last_error = 'blocked' WHERE subscriber_id % 3 = 1 AND broadcast_id = ` + fmt.Sprint(finished),
		`UPDATE deliveries SET status = 'failed', last_error = 'gave up after 9 attempts: http_502 (transient)' WHERE subscriber_id % 6 = 2 AND broadcast_id = ` + fmt.Sprint(finished),
		`UPDATE deliveries SET status = 'cancelled', last_error = 'subscriber stopped' WHERE subscriber_id % 6 = 5 AND broadcast_id = ` + fmt.Sprint(finished),
		`UPDATE deliveries SET status = 'sent' WHERE subscriber_id % 2 = 0 AND broadcast_id = ` + fmt.Sprint(sending),
		`UPDATE broadcasts SET counted = false`,
		`DELETE FROM delivery_counts`,
	} {
		if err := s.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	checkCounts(t, s, finished, "not counted yet")
	checkCounts(t, s, sending, "not counted yet")
	// Sending goes on before and after the count.
	ds := claim(t, s, chat.Telegram, 5)
	for _, d := range ds[:2] {
		if err := s.MarkSent(ctx, d.ID, d.Claim, 1, 0); err != nil {
			t.Fatal(err)
		}
	}
	counted, left, err := s.CountOldBroadcasts(ctx, 10)
	if err != nil || counted != 2 || left != 0 {
		t.Fatalf("counted %d, %d left, %v; want 2, 0", counted, left, err)
	}
	for _, d := range ds[2:] {
		if err := s.FailDelivery(ctx, d.ID, d.Claim, store.ReasonRejected, "rejected"); err != nil {
			t.Fatal(err)
		}
	}
	checkCounts(t, s, sending, "counted while sending")
	checkCounts(t, s, finished, "counted")
	_, fails, err := s.BroadcastDetail(ctx, finished)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fails); got != "[{failed blocked 10} {cancelled subscriber_gone 5} {failed max_age 5}]" {
		t.Fatalf("legacy reasons = %s", got)
	}
	if again, left, err := s.CountOldBroadcasts(ctx, 10); err != nil || again != 0 || left != 0 {
		t.Fatalf("second run counted %d, %d left, %v", again, left, err)
	}
}

// TestReportFinished: a broadcast is looked at once, when its last pending delivery
// ends; one with failures is reported with its alert queued in the same transaction,
// a clean one is marked finished without a report, and neither is looked at again.
func TestReportFinished(t *testing.T) {
	s, url, ctx := parallelStoreURL(t)
	subscribePrivate(t, s, chat.Telegram, "1", "2")
	withFailure := broadcast(t, s, "with-failure", "news", "")
	var reports []store.BroadcastReport
	report := func(r store.BroadcastReport) (store.NewAlert, bool) {
		reports = append(reports, r)
		return store.NewAlert{SourceKey: fmt.Sprintf("alert:failures:%d", r.ID), Text: "failed",
			To: []chat.Chat{{Channel: chat.Telegram, Address: "99", Kind: chat.KindPrivate}}}, true
	}
	if n, err := s.ReportFinished(ctx, report); err != nil || n != 0 || len(reports) != 0 {
		t.Fatalf("while pending: %d reported, %v", n, err)
	}
	ds := claim(t, s, chat.Telegram, 10)
	if err := s.MarkSent(ctx, ds[0].ID, ds[0].Claim, 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.FailDelivery(ctx, ds[1].ID, ds[1].Claim, store.ReasonTooLong, "too long"); err != nil {
		t.Fatal(err)
	}
	clean := broadcast(t, s, "clean", "news", "")
	elapse(t, url, time.Hour)
	for _, d := range claim(t, s, chat.Telegram, 10) {
		if err := s.MarkSent(ctx, d.ID, d.Claim, 1, 0); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ReportFinished(ctx, report)
	if err != nil || n != 1 || len(reports) != 1 {
		t.Fatalf("reported %d, %v: %+v", n, err, reports)
	}
	if r := reports[0]; r.ID != withFailure || r.Sent != 1 || r.Failed != 1 || fmt.Sprint(r.Failures) != "[{failed too_long 1}]" {
		t.Fatalf("report = %+v", r)
	}
	bs, err := s.BroadcastStats(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, b := range bs {
		if b.Kind == store.KindAlert && b.SourceKey == fmt.Sprintf("alert:failures:%d", withFailure) && b.Pending == 1 {
			alerts++
		}
	}
	if alerts != 1 {
		t.Fatalf("want the report's alert queued with its delivery: %+v", bs)
	}
	// The alert's own delivery ends: an alert is never reported, nothing is looked at twice.
	elapse(t, url, time.Hour)
	for _, d := range claim(t, s, chat.Telegram, 10) {
		if err := s.FailDelivery(ctx, d.ID, d.Claim, store.ReasonBlocked, "blocked"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.ReportFinished(ctx, report); err != nil || n != 0 || len(reports) != 1 {
		t.Fatalf("second run reported %d, %v", n, err)
	}
	var unfinished int
	if err := s.QueryRow(ctx, `SELECT count(*) FROM broadcasts WHERE finished_at IS NULL`, &unfinished); err != nil || unfinished != 0 {
		t.Fatalf("%d broadcasts not marked finished (clean one: %d), %v", unfinished, clean, err)
	}
}
