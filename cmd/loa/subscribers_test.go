package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"loa/admin"
	"loa/chat"
	"loa/store"
)

// TestSubscribersResume: a chat paused because the bot lost its right to post shows as
// paused in `subscribers list`, and `subscribers resume ID` lifts the pause, once.
func TestSubscribersResume(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	st := c.store()
	ctx := context.Background()
	sub, _, err := st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "-100555", Kind: "channel", Title: "Kênh tin"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: "ann:1", Kind: "announcement",
		Topic: store.TopicAnnouncements, Title: "x"}); err != nil {
		t.Fatal(err)
	}
	ds, err := st.ClaimDeliveries(ctx, "telegram", time.Minute, 10, "test")
	if err != nil || len(ds) != 1 {
		t.Fatalf("claimed %d, %v", len(ds), err)
	}
	if _, _, err := st.PauseSubscriber(ctx, ds[0].ID, ds[0].Claim, sub.ID, store.PauseNoRights, "not enough rights"); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("subscribers", "list"); !strings.Contains(out, "paused (no_rights)") {
		t.Fatalf("subscribers list does not show the pause:\n%s", out)
	}
	if out := c.ok("subscribers", "resume", "1"); !strings.Contains(out, "subscriber 1 (telegram -100555) resumed") {
		t.Fatalf("resume said %q", out)
	}
	var subs []admin.SubscriberView
	if err := json.Unmarshal([]byte(c.ok("subscribers", "list", "--json")), &subs); err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Paused != "" || subs[0].Status != store.StatusActive {
		t.Fatalf("after resume: %+v", subs)
	}
	if out := c.ok("subscribers", "resume", "1"); !strings.Contains(out, "was not paused") {
		t.Fatalf("second resume said %q", out)
	}
	es, err := st.AuditEntries(ctx, store.AuditFilter{Action: "subscriber.resume"})
	if err != nil || len(es) != 2 || es[1].Via != store.ViaCLI || es[1].Target != "subscriber 1" || es[1].Detail != "was paused (no_rights)" {
		t.Fatalf("audit of the resumes = %+v, %v; want two, through the CLI", es, err)
	}
	c.fails(1, "subscriber 42: not found (see loa subscribers list)", "subscribers", "resume", "42")
	if code, _, _ := c.run("subscribers", "resume"); code == 0 {
		t.Fatal("resume without an id succeeded")
	}
}
