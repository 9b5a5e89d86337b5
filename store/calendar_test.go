package store_test

import (
	"context"
	"errors"
	"testing"

	"loa/calendar"
	"loa/internal/dbtest"
	"loa/store"
)

func builtinEvents(t *testing.T) []calendar.Event {
	t.Helper()
	events, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// orgEvent is the portal's own organisation.
func orgEvent() calendar.Event {
	return calendar.Event{
		Slug: "dang-bo-khoi", Kind: calendar.Solar, Day: 17, Month: 7, FoundedYear: 2019,
		Title: "thành lập Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh", Category: calendar.Organisation,
		AdvanceDays: 7, Source: "Quyết định của Tỉnh ủy", Enabled: true,
	}
}

func TestSeedBuiltinEventsKeepsAdminChanges(t *testing.T) {
	s, ctx := parallelStore(t)
	builtin := builtinEvents(t)

	added, err := s.SeedBuiltinEvents(ctx, builtin)
	if err != nil || added != len(builtin) {
		t.Fatalf("first seed: added %d of %d, %v", added, len(builtin), err)
	}
	events, err := s.Events(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range events { // ids follow the shipped file
		want := builtin[i]
		want.ID, want.Version = e.ID, 1
		if e != want || e.ID != int64(i+1) {
			t.Fatalf("event %d = %+v, want %+v", i, e, want)
		}
	}

	// An admin edits one built-in event and disables another.
	edited := events[0]
	edited.Title = "Tết cổ truyền"
	edited.AdvanceDays = 3
	if edited, err = s.As(testActor).UpdateEvent(ctx, edited, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetEventEnabled(ctx, events[1].ID, false); err != nil {
		t.Fatal(err)
	}
	if added, err := s.SeedBuiltinEvents(ctx, builtin); err != nil || added != 0 {
		t.Fatalf("second seed: added %d, %v", added, err)
	}
	if e, err := s.Event(ctx, edited.ID); err != nil || e != edited {
		t.Errorf("after re-seeding, edited event = %+v, %v; want %+v", e, err, edited)
	}
	if e, err := s.Event(ctx, events[1].ID); err != nil || e.Enabled {
		t.Errorf("after re-seeding, disabled event = %+v, %v", e, err)
	}
	enabled, err := s.Events(ctx, false)
	if err != nil || len(enabled) != len(builtin)-1 {
		t.Errorf("enabled events: %d, %v; want %d", len(enabled), err, len(builtin)-1)
	}

	// A built-in event keeps its slug: a new one would be seeded again beside it.
	renamed := events[2]
	renamed.Slug = "gio-to"
	if _, err := s.As(testActor).UpdateEvent(ctx, renamed, "test"); !errors.Is(err, store.ErrBuiltinSlug) {
		t.Errorf("renaming a built-in slug: %v, want ErrBuiltinSlug", err)
	}
}

func TestAddUpdateEvents(t *testing.T) {
	s, ctx := parallelStore(t)

	e, err := s.AddEvent(ctx, orgEvent())
	if err != nil {
		t.Fatal(err)
	}
	want := orgEvent()
	want.ID, want.Version = e.ID, 1
	if e != want {
		t.Fatalf("added %+v, want %+v", e, want)
	}
	if got, err := s.Event(ctx, e.ID); err != nil || got != want {
		t.Fatalf("Event = %+v, %v", got, err)
	}
	if _, err := s.AddEvent(ctx, orgEvent()); !errors.Is(err, store.ErrEventExists) {
		t.Errorf("second add: %v, want ErrEventExists", err)
	}
	bad := orgEvent()
	bad.Slug, bad.Day, bad.Month = "ngay-sai", 31, 4
	if _, err := s.AddEvent(ctx, bad); !errors.Is(err, calendar.ErrInvalidEvent) {
		t.Errorf("add 31/4: %v, want ErrInvalidEvent", err)
	}
	if _, err := s.Event(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Event(999): %v", err)
	}

	// An admin's event may change everything, its slug included.
	other := orgEvent()
	other.Slug = "ngay-khac"
	other2, err := s.AddEvent(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	lunar := e
	lunar.Slug, lunar.Kind, lunar.Day, lunar.Month, lunar.Leap = "ngay-am-lich", calendar.Lunar, 30, 6, true
	got, err := s.As(testActor).UpdateEvent(ctx, lunar, "test")
	lunar.Version++
	if err != nil || got != lunar {
		t.Fatalf("update = %+v, %v; want %+v", got, err, lunar)
	}
	taken := lunar
	taken.Slug = other2.Slug
	if _, err := s.As(testActor).UpdateEvent(ctx, taken, "test"); !errors.Is(err, store.ErrEventExists) {
		t.Errorf("update to a taken slug: %v, want ErrEventExists", err)
	}
	if _, err := s.As(testActor).UpdateEvent(ctx, e, "test"); !errors.Is(err, store.ErrStale) {
		t.Errorf("update from version %d after an edit: %v, want ErrStale", e.Version, err)
	}
	missing := lunar
	missing.ID = 999
	if _, err := s.As(testActor).UpdateEvent(ctx, missing, "test"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a missing event: %v", err)
	}
	if _, err := s.SetEventEnabled(ctx, 999, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disable a missing event: %v", err)
	}
	if d, err := s.SetEventEnabled(ctx, e.ID, false); err != nil || d.Enabled {
		t.Errorf("disable: %+v, %v", d, err)
	}
	if list, err := s.Events(ctx, false); err != nil || len(list) != 1 || list[0].ID != other2.ID {
		t.Errorf("enabled events = %+v, %v", list, err)
	}
}

func TestImportEventsIsAllOrNothing(t *testing.T) {
	s, ctx := parallelStore(t)
	if _, err := s.SeedBuiltinEvents(ctx, builtinEvents(t)); err != nil {
		t.Fatal(err)
	}
	before, err := s.Events(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	changed := before[0]
	changed.ID = 0
	changed.Title = "Tết Nguyên đán (Tết cổ truyền)"
	changed.Enabled = false

	badOne := orgEvent()
	badOne.Slug = "BAD SLUG"
	for _, list := range [][]calendar.Event{
		{orgEvent(), badOne},
		{orgEvent(), changed, orgEvent()}, // a slug twice
	} {
		if _, _, err := s.As(testActor).ImportEvents(ctx, list, "test.csv"); err == nil {
			t.Errorf("import of %d events with a bad one: no error", len(list))
		}
	}
	if after, err := s.Events(ctx, true); err != nil || len(after) != len(before) || after[0] != before[0] {
		t.Fatalf("a failed import changed the calendar: %d events, %v", len(after), err)
	}

	added, updated, err := s.As(testActor).ImportEvents(ctx, []calendar.Event{orgEvent(), changed}, "test.csv")
	if err != nil || added != 1 || updated != 1 {
		t.Fatalf("import: added %d, updated %d, %v", added, updated, err)
	}
	got, err := s.Event(ctx, before[0].ID)
	changed.ID, changed.Version = before[0].ID, before[0].Version+1
	if err != nil || got != changed {
		t.Errorf("updated by import: %+v, %v; want %+v", got, err, changed)
	}
	// Still built-in: seeding does not add it again.
	if n, err := s.SeedBuiltinEvents(ctx, builtinEvents(t)); err != nil || n != 0 {
		t.Errorf("seed after import: added %d, %v", n, err)
	}
}

// TestCalendarEventChecks: the table refuses what calendar.Event.Validate refuses, even
// when written by hand.
func TestCalendarEventChecks(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	dbtest.StoreAt(t, url)
	ctx := context.Background()
	conn := dbtest.Conn(t, url)
	insert := func(slug, kind string, day, month int, leap bool, title string) error {
		_, err := conn.Exec(ctx, `INSERT INTO calendar_events (slug, kind, day, month, leap, title, category)
			VALUES ($1, $2, $3, $4, $5, $6, 'national')`, slug, kind, day, month, leap, title)
		return err
	}
	good := []struct {
		slug, kind string
		day, month int
		leap       bool
		title      string
	}{
		{"a", "solar", 29, 2, false, "Ngày Thương binh – Liệt sĩ"},
		{"b-2", "solar", 31, 12, false, "Giỗ Tổ Hùng Vương"},
		{"c", "lunar", 30, 2, true, "Tết Nguyên đán"},
	}
	for _, g := range good {
		if err := insert(g.slug, g.kind, g.day, g.month, g.leap, g.title); err != nil {
			t.Errorf("insert %s: %v", g.slug, err)
		}
	}
	bad := []struct {
		name       string
		slug, kind string
		day, month int
		leap       bool
		title      string
	}{
		{"31/4", "x1", "solar", 31, 4, false, "x"},
		{"30/2", "x2", "solar", 30, 2, false, "x"},
		{"solar leap", "x3", "solar", 1, 1, true, "x"},
		{"lunar day 31", "x4", "lunar", 31, 1, false, "x"},
		{"month 13", "x5", "lunar", 1, 13, false, "x"},
		{"slug capitals", "Quoc-khanh", "solar", 2, 9, false, "x"},
		{"slug double hyphen", "quoc--khanh", "solar", 2, 9, false, "x"},
		{"slug trailing hyphen", "quoc-", "solar", 2, 9, false, "x"},
		{"kind", "x6", "chinese", 1, 1, false, "x"},
		{"empty title", "x7", "solar", 1, 1, false, ""},
		{"newline in title", "x8", "solar", 1, 1, false, "a\nb"},
		{"C1 control in title", "x9", "solar", 1, 1, false, "a\u0085b"},
	}
	for _, b := range bad {
		if err := insert(b.slug, b.kind, b.day, b.month, b.leap, b.title); err == nil {
			t.Errorf("%s: inserted", b.name)
		}
	}
}
