package admin_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"loa/admin"
	"loa/calendar"
	"loa/chat"
	"loa/feeds"
	"loa/internal/dbtest"
	"loa/scheduler"
	"loa/store"
)

var (
	hcm = mustZone("Asia/Ho_Chi_Minh")
	// t0 is the tests' present: Wednesday 5 June 2024, 06:00 in Ho Chi Minh City.
	t0 = time.Date(2024, 6, 5, 6, 0, 0, 0, hcm)

	alice = admin.Actor{Channel: "telegram", UserID: "1001", Name: "Alice", Via: admin.ViaBot}
	bob   = admin.Actor{Channel: "telegram", UserID: "1002", Name: "Bob", Via: admin.ViaWeb}
	cli   = admin.CLI("carol")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// newOps is the layer on a fresh schema, its clock at t0 and its fetcher real (tests
// serve feeds with httptest).
func newOps(t *testing.T) (*admin.Ops, *store.Store) {
	t.Helper()
	st := dbtest.Store(t)
	now := func() time.Time { return t0 }
	poller := &scheduler.Poller{Store: st, Now: now, Location: hcm,
		Fetcher: feeds.NewFetcher(feeds.FetcherOptions{UserAgent: "loa-test", MaxBytes: 1 << 20, Timeout: 5 * time.Second})}
	return &admin.Ops{Store: st, Location: hcm, Now: now, Poller: poller, Admins: []int64{42}}, st
}

// newEvent adds an event on a solar date (d/m[/yyyy]) as the CLI would, for a test
// about something else.
func newEvent(t *testing.T, ops *admin.Ops, title, date string) calendar.Event {
	t.Helper()
	ev, err := ops.AddEvent(context.Background(), cli, admin.EventChange{Title: ptr(title), Date: ptr(date)})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// serveFile serves testdata files of package feeds at /<name>.
func serveFile(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile("../feeds/testdata" + r.URL.Path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".html") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ptr[T any](v T) *T { return &v }

// fieldError checks that err is a *FieldError of field and code, worded in Vietnamese.
func fieldError(t *testing.T, err error, field admin.Field, code admin.Code) {
	t.Helper()
	var fe *admin.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want a FieldError %s/%s", err, err, field, code)
	}
	if fe.Field != field || fe.Code != code {
		t.Fatalf("FieldError %s/%s (%v), want %s/%s", fe.Field, fe.Code, fe, field, code)
	}
	if msg := admin.Message(err); msg == "" || msg == admin.Message(errors.New("x")) {
		t.Errorf("Message(%v) = %q: no wording of its own", err, msg)
	}
}

func auditCount(t *testing.T, st *store.Store) int {
	t.Helper()
	es, err := st.AuditEntries(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestEveryBadInputNamesItsFieldAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	ops, st := newOps(t)
	srv := serveFile(t)
	ev := newEvent(t, ops, "thành lập Đảng bộ Khối", "3/2/1950")
	if _, err := ops.AddFeed(ctx, cli, srv.URL+"/rss2.xml", "", ""); err != nil {
		t.Fatal(err)
	}
	builtin, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SeedBuiltinEvents(ctx, builtin[:1]); err != nil {
		t.Fatal(err)
	}
	events, _ := st.Events(ctx, true)
	builtinID := events[len(events)-1].ID
	before := auditCount(t, st)

	text := func(s string) admin.Announcement { return admin.Announcement{Text: s} }
	when := func(w admin.When) admin.Announcement { return admin.Announcement{Text: "Họp", When: w} }
	// The operations most refusals are of, run when the case runs.
	schedule := func(a admin.Announcement) func() error {
		return func() error { _, err := ops.Schedule(ctx, alice, a); return err }
	}
	addEvent := func(c admin.EventChange) func() error {
		return func() error { _, err := ops.AddEvent(ctx, cli, c); return err }
	}
	addFeed := func(url, topic, interval string) func() error {
		return func() error { _, err := ops.AddFeed(ctx, cli, url, topic, interval); return err }
	}
	for _, tt := range []struct {
		name  string
		do    func() error
		field admin.Field
		code  admin.Code
	}{
		{"empty text", schedule(text("  ")), admin.FieldText, admin.CodeRequired},
		{"blank lines", schedule(text("\n \t\n")), admin.FieldText, admin.CodeRequired},
		{"invalid UTF-8", schedule(text("Họp \xff")), admin.FieldText, admin.CodeInvalid},
		{"NUL", schedule(text("Họp\x00")), admin.FieldText, admin.CodeInvalid},
		{"too long", schedule(text(strings.Repeat("ạ", 8001))), admin.FieldText, admin.CodeTooLong},
		{"bad topic", schedule(admin.Announcement{Text: "Họp", Topic: "tin;tức"}), admin.FieldTopic, admin.CodeInvalid},
		{"bad channel", schedule(admin.Announcement{Text: "Họp", Channel: "viber"}), admin.FieldChannel, admin.CodeInvalid},
		{"past", schedule(when(admin.When{At: t0.Add(-2 * time.Minute)})), admin.FieldAt, admin.CodePast},
		{"at and cron", schedule(when(admin.When{At: t0.Add(time.Hour), Cron: "0 7 * * *"})), admin.FieldCron, admin.CodeConflicting},
		{"bad cron", schedule(when(admin.When{Cron: "every day"})), admin.FieldCron, admin.CodeInvalid},
		{"cron never", schedule(when(admin.When{Cron: "0 7 30 2 *"})), admin.FieldCron, admin.CodeNever},
		{"weekly without days", schedule(when(admin.When{Repeat: &admin.Repeat{Every: admin.Weekly, Time: "07:00"}})), admin.FieldWeekdays, admin.CodeRequired},
		{"yearly 30/2", schedule(when(admin.When{Repeat: &admin.Repeat{Every: admin.Yearly, Day: 30, Month: 2, Time: "07:00"}})), admin.FieldDay, admin.CodeOutOfRange},
		{"repeat without time", schedule(when(admin.When{Repeat: &admin.Repeat{Every: admin.Daily}})), admin.FieldTime, admin.CodeInvalid},
		{"no such event", schedule(when(admin.When{EventID: 999})), admin.FieldEvent, admin.CodeNotFound},
		{"event time", schedule(when(admin.When{EventID: ev.ID, EventTime: "25:00"})), admin.FieldTime, admin.CodeInvalid},
		{"draft in the past", func() error { _, err := ops.CreateDraft(ctx, alice, "Họp", ptr(t0)); return err }, admin.FieldAt, admin.CodePast},
		{"event without title", addEvent(admin.EventChange{Date: ptr("1/1")}), admin.FieldTitle, admin.CodeRequired},
		{"event without date", addEvent(admin.EventChange{Title: ptr("Ngày")}), admin.FieldDate, admin.CodeRequired},
		{"event date unreadable", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("ngày 5")}), admin.FieldDate, admin.CodeInvalid},
		{"event 31/4", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("31/4")}), admin.FieldDate, admin.CodeInvalid},
		{"date and lunar", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("1/1"), Lunar: ptr("1/1")}), admin.FieldLunar, admin.CodeConflicting},
		{"leap on a solar date", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("1/1"), Leap: ptr(true)}), admin.FieldLeap, admin.CodeConflicting},
		{"two founding years", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("1/1/1950"), Founded: ptr(1951)}), admin.FieldFounded, admin.CodeConflicting},
		{"category", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("1/1"), Category: ptr("club")}), admin.FieldCategory, admin.CodeInvalid},
		{"advance", addEvent(admin.EventChange{Title: ptr("Ngày"), Date: ptr("1/1"), Advance: ptr(400)}), admin.FieldAdvance, admin.CodeInvalid},
		{"slug taken", addEvent(admin.EventChange{Title: ptr("thành lập Đảng bộ Khối"), Date: ptr("1/1")}), admin.FieldSlug, admin.CodeTaken},
		{"built-in slug", func() error {
			_, err := ops.EditEvent(ctx, cli, builtinID, 0, admin.EventChange{Slug: ptr("tet")})
			return err
		}, admin.FieldSlug, admin.CodeBuiltin},
		{"feed URL", addFeed("ftp://x/y", "", ""), admin.FieldURL, admin.CodeInvalid},
		{"feed topic all", addFeed(srv.URL+"/atom.xml", "all", ""), admin.FieldTopic, admin.CodeReserved},
		{"feed interval", addFeed(srv.URL+"/atom.xml", "", "5"), admin.FieldInterval, admin.CodeInvalid},
		{"not a feed", addFeed(srv.URL+"/page.html", "", ""), admin.FieldURL, admin.CodeNotFeed},
		{"feed missing", addFeed(srv.URL+"/missing.xml", "", ""), admin.FieldURL, admin.CodeNotFeed},
		{"feed taken", addFeed(srv.URL+"/rss2.xml", "", ""), admin.FieldURL, admin.CodeTaken},
		{"feed edit topic all", func() error {
			_, err := ops.EditFeed(ctx, cli, 1, 0, admin.FeedChange{Topic: ptr("all")})
			return err
		}, admin.FieldTopic, admin.CodeReserved},
		{"admin channel", func() error { _, err := ops.AddAdmin(ctx, cli, "viber", "1", ""); return err }, admin.FieldChannel, admin.CodeInvalid},
		{"admin Telegram id", func() error { _, err := ops.AddAdmin(ctx, cli, "telegram", "alice", ""); return err }, admin.FieldUserID, admin.CodeInvalid},
		{"id", func() error { _, err := admin.ParseID("12a"); return err }, admin.FieldID, admin.CodeInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) { fieldError(t, tt.do(), tt.field, tt.code) })
	}

	// Nothing half-written: no announcement, no new event or feed, no audit entry.
	if as, err := st.Announcements(ctx, true); err != nil || len(as) != 0 {
		t.Errorf("announcements after refusals: %d, %v", len(as), err)
	}
	if fs, err := st.Feeds(ctx); err != nil || len(fs) != 1 {
		t.Errorf("feeds after refusals: %d, %v", len(fs), err)
	}
	if after := auditCount(t, st); after != before {
		t.Errorf("audit entries: %d before the refusals, %d after", before, after)
	}
}

func TestDraftsAreTheirAuthors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, st := newOps(t)
	d, err := ops.CreateDraft(ctx, alice, "Kính mời dự họp", nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, do := range map[string]func() error{
		"confirm": func() error { _, err := ops.ConfirmDraft(ctx, bob, d.ID, nil); return err },
		"discard": func() error { return ops.DiscardDraft(ctx, bob, d.ID) },
		"cancel":  func() error { _, err := ops.CancelAnnouncement(ctx, bob, d.ID); return err },
	} {
		err := do()
		var na *store.NotAuthorError
		if !errors.Is(err, admin.ErrNotAuthor) || !errors.As(err, &na) || na.Author != alice.String() {
			t.Errorf("%s by another admin: %v, want ErrNotAuthor naming %s", name, err, alice)
		}
		if !strings.Contains(admin.Message(err), "quản trị viên khác soạn") {
			t.Errorf("%s: Message = %q", name, admin.Message(err))
		}
	}
	// A second draft replaces the first; the first is then handled.
	d2, err := ops.CreateDraft(ctx, alice, "Kính mời dự họp lúc 8 giờ", ptr(t0.Add(time.Hour)))
	if err != nil || len(d2.Dropped) != 1 || d2.Dropped[0] != d.ID {
		t.Fatalf("second draft: %+v, %v", d2, err)
	}
	if _, err := ops.ConfirmDraft(ctx, alice, d.ID, nil); !errors.Is(err, admin.ErrNotDraft) {
		t.Errorf("confirming the replaced draft: %v, want ErrNotDraft", err)
	}
	a, err := ops.ConfirmDraft(ctx, alice, d2.ID, nil)
	if err != nil || a.Status != "scheduled" || !a.NextRunAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("confirm: %+v, %v", a, err)
	}
	if err := ops.DiscardDraft(ctx, alice, 999); !errors.Is(err, admin.ErrNotFound) {
		t.Errorf("discarding a missing draft: %v", err)
	}
	es, err := st.AuditEntries(ctx, store.AuditFilter{})
	if err != nil || len(es) != 1 || es[0].Action != "announcement.create" || es[0].Actor != "telegram:1001" || es[0].Via != store.ViaBot {
		t.Errorf("audit = %+v, %v; want the confirmation alone, by %s through the bot", es, err, alice)
	}
}

func TestEditAfterAnotherEditSaysWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, _ := newOps(t)
	srv := serveFile(t)

	ev := newEvent(t, ops, "thành lập Chi bộ", "3/2/1950")
	added, err := ops.AddFeed(ctx, cli, srv.URL+"/rss2.xml", "", "")
	if err != nil {
		t.Fatal(err)
	}
	ann, err := ops.Schedule(ctx, cli, admin.Announcement{Text: "Họp", When: admin.When{Cron: "0 7 * * 1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		first, late func(version int) error
		obj         admin.Object
		changed     admin.Field
	}{
		{"event", func(v int) error {
			_, err := ops.EditEvent(ctx, alice, ev.ID, v, admin.EventChange{Title: ptr("thành lập Đảng bộ")})
			return err
		}, func(v int) error {
			_, err := ops.EditEvent(ctx, bob, ev.ID, v, admin.EventChange{Date: ptr("4/2")})
			return err
		}, admin.ObjEvent, admin.FieldTitle},
		{"feed", func(v int) error {
			_, err := ops.EditFeed(ctx, alice, added.Feed.ID, v, admin.FeedChange{Interval: ptr("1h")})
			return err
		}, func(v int) error {
			_, err := ops.EditFeed(ctx, bob, added.Feed.ID, v, admin.FeedChange{Topic: ptr("tin-tinh")})
			return err
		}, admin.ObjFeed, admin.FieldInterval},
		{"announcement", func(v int) error {
			_, err := ops.EditAnnouncement(ctx, alice, ann.ID, v, admin.Announcement{Text: "Họp giao ban", When: admin.When{Cron: "0 7 * * 1"}})
			return err
		}, func(v int) error {
			_, err := ops.EditAnnouncement(ctx, bob, ann.ID, v, admin.Announcement{Text: "Họp", When: admin.When{Cron: "0 8 * * 1"}})
			return err
		}, admin.ObjAnnouncement, admin.FieldText},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.first(1); err != nil {
				t.Fatal(err)
			}
			err := tt.late(1)
			var ce *admin.ConflictError
			if !errors.Is(err, admin.ErrConflict) || !errors.As(err, &ce) {
				t.Fatalf("a second edit from version 1: %v, want a ConflictError", err)
			}
			if ce.Object != tt.obj || ce.Seen != 1 || ce.Now != 2 || len(ce.Changes) != 1 ||
				ce.Changes[0].By != alice.String() || ce.Changes[0].Via != admin.ViaBot ||
				len(ce.Fields()) != 1 || ce.Fields()[0] != tt.changed {
				t.Errorf("conflict = %+v, want version 1 → 2, %s changed by %s", ce, tt.changed, alice)
			}
			if msg := admin.Message(err); !strings.Contains(msg, alice.String()+" đã sửa "+admin.FieldName(tt.changed)) {
				t.Errorf("Message = %q", msg)
			}
			if err := tt.late(2); err != nil {
				t.Errorf("the same edit from version 2: %v", err)
			}
		})
	}
	if _, err := ops.EditAnnouncement(ctx, alice, 999, 0, admin.Announcement{Text: "x"}); !errors.Is(err, admin.ErrNotFound) {
		t.Errorf("editing a missing announcement: %v", err)
	}
	if _, err := ops.CancelAnnouncement(ctx, cli, ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.EditAnnouncement(ctx, alice, ann.ID, 0, admin.Announcement{Text: "x"}); !errors.Is(err, admin.ErrNotScheduled) {
		t.Errorf("editing a cancelled announcement: %v", err)
	}
}

func TestAuditRecordsTheFrontEndWithTheChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, st := newOps(t)
	if _, err := ops.Schedule(ctx, bob, admin.Announcement{Text: "Họp", When: admin.When{At: t0.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	ev := newEvent(t, ops, "Ngày A", "1/1")
	other := newEvent(t, ops, "Ngày B", "2/1")
	if _, err := ops.EnableEvent(ctx, alice, ev.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.AddAdmin(ctx, cli, "zalo", "abc", "Dũng"); err != nil {
		t.Fatal(err)
	}
	n := auditCount(t, st)
	// Refused by the database after the update statement: the transaction, audit entry
	// included, is rolled back.
	if _, err := ops.EditEvent(ctx, bob, ev.ID, 0, admin.EventChange{Slug: ptr(other.Slug)}); err == nil {
		t.Fatal("taking another event's slug: no error")
	}
	if got := auditCount(t, st); got != n {
		t.Errorf("a refused edit left an audit entry: %d, want %d", got, n)
	}
	for _, tt := range []struct {
		f    store.AuditFilter
		want []string // action by via
	}{
		{store.AuditFilter{}, []string{"admin.add cli", "event.disable bot", "event.add cli", "event.add cli", "announcement.create web"}},
		{store.AuditFilter{Via: store.ViaWeb}, []string{"announcement.create web"}},
		{store.AuditFilter{Actor: "telegram:1001"}, []string{"event.disable bot"}},
		{store.AuditFilter{Action: "event."}, []string{"event.disable bot", "event.add cli", "event.add cli"}},
		{store.AuditFilter{Action: "admin.add"}, []string{"admin.add cli"}},
		{store.AuditFilter{Since: time.Now().Add(time.Hour)}, nil},
	} {
		es, err := st.AuditEntries(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Action+" "+string(e.Via))
		}
		if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
			t.Errorf("AuditEntries(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestPlanListsRunsAndAudience(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, st := newOps(t)
	for _, c := range []chat.Chat{
		{Channel: "telegram", Address: "1", Kind: "private"},
		{Channel: "telegram", Address: "2", Kind: "private"},
		{Channel: "zalo", Address: "z1", Kind: "private"},
	} {
		if _, _, err := st.Subscribe(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SetTopicMuted(ctx, "telegram", "2", store.TopicAnnouncements, true); err != nil {
		t.Fatal(err)
	}
	weekly := admin.When{Repeat: &admin.Repeat{Every: admin.Weekly, Weekdays: []time.Weekday{time.Friday, time.Monday}, Time: "7h30"}}
	for _, tt := range []struct {
		name     string
		ann      admin.Announcement
		runs     []string
		audience int
	}{
		{"now", admin.Announcement{Text: "Họp"}, []string{"05/06 06:00"}, 2},
		{"weekly", admin.Announcement{Text: "Họp", When: weekly}, []string{"07/06 07:30", "10/06 07:30", "14/06 07:30"}, 2},
		{"everyone", admin.Announcement{Text: "Họp", Topic: store.TopicAll}, []string{"05/06 06:00"}, 3},
		{"zalo only", admin.Announcement{Text: "Họp", Channel: "zalo"}, []string{"05/06 06:00"}, 1},
		{"once", admin.Announcement{Text: "Họp", When: admin.When{At: time.Date(2024, 6, 5, 6, 0, 30, 0, hcm)}}, []string{"05/06 06:00"}, 2},
	} {
		p, err := ops.Plan(ctx, tt.ann, 3)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, r := range p.Runs {
			got = append(got, r.In(hcm).Format("02/01 15:04"))
		}
		if strings.Join(got, ", ") != strings.Join(tt.runs, ", ") || p.Audience != tt.audience {
			t.Errorf("%s: runs %v, audience %d; want %v, %d", tt.name, got, p.Audience, tt.runs, tt.audience)
		}
	}
}

func TestSendTestGoesToTheAdminAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, st := newOps(t)
	ann := admin.Announcement{Text: "Kính mời *họp*"}
	if _, err := ops.SendTest(ctx, alice, ann); !errors.Is(err, admin.ErrNoPrivateChat) {
		t.Fatalf("test without a private chat: %v, want ErrNoPrivateChat", err)
	}
	if _, err := ops.SendTest(ctx, cli, ann); !errors.Is(err, admin.ErrNoPrivateChat) {
		t.Fatalf("test from the CLI: %v, want ErrNoPrivateChat", err)
	}
	// Alice opened the bot and stopped it; a member subscribed.
	if _, _, err := st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "1001", Kind: "private"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSubscriberStatus(ctx, "telegram", "1001", store.StatusStopped, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "7", Kind: "private"}); err != nil {
		t.Fatal(err)
	}
	id, err := ops.SendTest(ctx, alice, ann)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := st.BroadcastDetail(ctx, id)
	if err != nil || b.Total != 1 || b.Summary != ann.Text || !strings.HasPrefix(b.SourceKey, "test:") {
		t.Errorf("test broadcast = %+v, %v; want one delivery of the text", b, err)
	}
	sub, err := st.SubscriberByChat(ctx, "telegram", "1001")
	if err != nil || sub.Status != store.StatusStopped {
		t.Errorf("after the test, the admin's chat is %q (%v), want still stopped", sub.Status, err)
	}
	es, err := st.AuditEntries(ctx, store.AuditFilter{Action: "announcement.test"})
	if err != nil || len(es) != 1 || es[0].Actor != alice.String() {
		t.Errorf("audit = %+v, %v", es, err)
	}
}

func TestFeedsAddPrimesAndImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, _ := newOps(t)
	srv := serveFile(t)
	added, err := ops.AddFeed(ctx, cli, srv.URL+"/rss2.xml", "tin-tinh", "10m")
	if err != nil || added.PrimeErr != nil {
		t.Fatal(err, added.PrimeErr)
	}
	if added.Recorded == 0 || added.Announced != 0 || added.Feed.Topic != "tin-tinh" || added.Feed.Interval != 10*time.Minute {
		t.Errorf("added = %+v", added)
	}
	f, err := ops.DisableFeed(ctx, alice, added.Feed.ID)
	if err != nil || f.Enabled || f.DisabledReason != "disabled by telegram:1001" {
		t.Errorf("disable: %+v, %v", f, err)
	}
	if f, err = ops.EnableFeed(ctx, alice, added.Feed.ID); err != nil || !f.Enabled {
		t.Errorf("enable: %+v, %v", f, err)
	}
	bad := `<opml version="2.0"><body>
		<outline text="A" xmlUrl="https://a.example/rss"/>
		<outline text="B" xmlUrl="https://b.example/rss" category="all"/>
		<outline text="C" xmlUrl="https://c.example/rss" category="tin;tức"/></body></opml>`
	_, err = ops.ImportFeeds(ctx, cli, strings.NewReader(bad), "bad.opml", "")
	var ie *admin.ImportError
	if !errors.As(err, &ie) || len(ie.Entries) != 2 || ie.Entries[0].N != 2 || ie.Entries[1].N != 3 {
		t.Fatalf("import of a bad file: %v", err)
	}
	if !strings.Contains(admin.Message(err), "• mục 2") {
		t.Errorf("Message = %q", admin.Message(err))
	}
	good := `<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/rss"/>
		<outline text="R" xmlUrl="` + srv.URL + `/rss2.xml"/></body></opml>`
	got, err := ops.ImportFeeds(ctx, cli, strings.NewReader(good), "good.opml", "1h")
	if err != nil || len(got.Added) != 1 || len(got.Skipped) != 1 {
		t.Fatalf("import: %+v, %v", got, err)
	}
	if err := ops.RemoveFeed(ctx, cli, got.Added[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := ops.RemoveFeed(ctx, cli, got.Added[0].ID); !errors.Is(err, admin.ErrNotFound) || admin.Message(err) != "Không tìm thấy nguồn tin số 2." {
		t.Errorf("removing it again: %v (%q)", err, admin.Message(err))
	}
}

func TestCalendarEventsAndImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, _ := newOps(t)
	ev, err := ops.AddEvent(ctx, bob, admin.EventChange{Title: ptr("Giỗ Tổ Hùng Vương"), Lunar: ptr("10/3")})
	if err != nil || ev.Slug != "gio-to-hung-vuong" || ev.Kind != calendar.Lunar || ev.Category != admin.DefaultCategory {
		t.Fatalf("add: %+v, %v", ev, err)
	}
	ev, err = ops.EditEvent(ctx, bob, ev.ID, ev.Version, admin.EventChange{Date: ptr("2/9/1945"), Category: ptr("National")})
	if err != nil || ev.Kind != calendar.Solar || ev.FoundedYear != 1945 || ev.Category != calendar.National || ev.Version != 2 {
		t.Fatalf("edit: %+v, %v", ev, err)
	}
	csv := "slug,kind,day,month,title,category\nngay-a,solar,1,5,Ngày A,national\n"
	_, _, _, err = ops.ImportEvents(ctx, cli, strings.NewReader(csv+"ngay-a,solar,2,5,Ngày A,national\n"), "a.csv")
	fieldError(t, err, admin.FieldFile, admin.CodeInvalid)
	read, added, updated, err := ops.ImportEvents(ctx, cli, strings.NewReader(csv), "a.csv")
	if err != nil || read != 1 || added != 1 || updated != 0 {
		t.Fatalf("import: %d %d %d, %v", read, added, updated, err)
	}
	if _, err := ops.EnableEvent(ctx, cli, 999, true); !errors.Is(err, admin.ErrNotFound) {
		t.Errorf("enable a missing event: %v", err)
	}
}

func TestAdmins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, _ := newOps(t)
	if _, err := ops.AddAdmin(ctx, cli, "telegram", " 1001 ", "Alice"); err != nil {
		t.Fatal(err)
	}
	fieldError(t, func() error { _, err := ops.AddAdmin(ctx, cli, "telegram", "1001", ""); return err }(), admin.FieldUserID, admin.CodeTaken)
	for _, tt := range []struct {
		channel, id string
		want        bool
	}{{"telegram", "1001", true}, {"telegram", "42", true}, {"zalo", "42", false}, {"telegram", "7", false}} {
		if ok, err := ops.IsAdmin(ctx, tt.channel, tt.id); err != nil || ok != tt.want {
			t.Errorf("IsAdmin(%s, %s) = %v, %v; want %v", tt.channel, tt.id, ok, err, tt.want)
		}
	}
	if err := ops.RemoveAdmin(ctx, cli, "telegram", "1001"); err != nil {
		t.Fatal(err)
	}
	if err := ops.RemoveAdmin(ctx, cli, "telegram", "1001"); !errors.Is(err, admin.ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
}

// TestResumeSubscriberIsAudited: lifting a chat's pause is an admin operation, audited
// with its front end even when the chat was not paused; an unknown id names the
// subscriber, in English and in Vietnamese.
func TestResumeSubscriberIsAudited(t *testing.T) {
	t.Parallel()
	ops, st := newOps(t)
	ctx := context.Background()
	sub, _, err := st.Subscribe(ctx, chat.Chat{Channel: "telegram", Address: "-100555", Kind: "channel"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ops.ResumeSubscriber(ctx, alice, sub.ID)
	if err != nil || r.WasPaused || r.ID != sub.ID {
		t.Fatalf("ResumeSubscriber = %+v, %v; want subscriber %d, not paused", r, err, sub.ID)
	}
	es, err := st.AuditEntries(ctx, store.AuditFilter{Action: "subscriber.resume"})
	if err != nil || len(es) != 1 || es[0].Actor != alice.String() || es[0].Via != admin.ViaBot || es[0].Detail != "was not paused" {
		t.Fatalf("audit = %+v, %v; want one entry by %s via bot", es, err, alice)
	}
	_, err = ops.ResumeSubscriber(ctx, cli, 4242)
	var oe *admin.ObjectError
	if !errors.As(err, &oe) || oe.Object != admin.ObjSubscriber || oe.ID != 4242 || !errors.Is(err, admin.ErrNotFound) {
		t.Fatalf("resume of an unknown subscriber: %v; want ObjectError{subscriber 4242, ErrNotFound}", err)
	}
	if got, want := admin.Message(err), "Không tìm thấy kênh nhận tin số 4242."; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		r    admin.Resumed
		want string
	}{
		{r, "Kênh nhận tin số " + strconv.FormatInt(sub.ID, 10) + " không bị tạm dừng; không có gì thay đổi."},
		{admin.Resumed{Subscriber: store.Subscriber{ID: 7, Title: "Chi bộ 3"}, WasPaused: true},
			"Đã cho gửi tiếp tới kênh nhận tin số 7 («Chi bộ 3»): các tin đang chờ sẽ được gửi ngay."},
	} {
		if got := admin.ResumedMessage(tt.r); got != tt.want {
			t.Errorf("ResumedMessage(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
}
