package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"loa/calendar"
)

// seedCalendar stores the built-in calendar.
func (e *env) seedCalendar(t testing.TB) {
	t.Helper()
	events, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SeedBuiltinEvents(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

// at sets the bot's clock to a wall-clock time in Vietnam.
func (e *env) at(y int, m time.Month, d, hh, mm int) {
	t := time.Date(y, m, d, hh, mm, 0, 0, e.bot.location())
	e.bot.Now = func() time.Time { return t }
}

// TestCalendarGolden pins the wording of /today and /upcoming.
func TestCalendarGolden(t *testing.T) {
	t.Parallel()
	// at sets the bot's clock to hh:00 on the day, on a calendar seeded with the
	// built-in events or left empty.
	at := func(y int, m time.Month, d, hh int, seeded bool) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			if seeded {
				e.seedCalendar(t)
			}
			e.at(y, m, d, hh, 0)
		}
	}
	tests := []goldenCase{
		{name: "today-anniversary", setup: at(2024, 6, 5, 8, true), update: msg(privateChat, member, "/today")},
		{name: "today-with-advance", setup: at(2024, 4, 30, 8, true), update: msg(groupChat, member, "/today")},
		{name: "today-lunar", setup: at(2024, 4, 18, 8, true), update: msg(privateChat, member, "/today")},
		{name: "today-tet", setup: at(2025, 1, 29, 8, true), update: msg(privateChat, member, "/today")},
		{name: "today-none", setup: at(2024, 6, 7, 8, true), update: msg(privateChat, member, "/today")},
		{name: "today-none-tomorrow", setup: at(2024, 6, 4, 8, true), update: msg(privateChat, member, "/today")},
		{name: "today-empty-calendar", setup: at(2024, 6, 5, 8, false), update: msg(privateChat, member, "/today")},
		{name: "upcoming", setup: at(2024, 6, 5, 8, true), update: msg(privateChat, member, "/upcoming")},
		{name: "upcoming-none", setup: at(2024, 6, 5, 8, false), update: msg(groupChat, member, "/upcoming@loa_bot")},
		{name: "upcoming-more", update: msg(privateChat, member, "/upcoming"),
			setup: func(t *testing.T, e *env) {
				at(2024, 6, 5, 8, false)(t, e)
				for i := range 12 {
					if _, err := e.store.AddEvent(context.Background(), calendar.Event{
						Slug: fmt.Sprintf("chi-bo-%d", i+1), Kind: calendar.Solar, Day: 6 + 2*i, Month: 6,
						FoundedYear: 2000 + i, Title: fmt.Sprintf("thành lập Chi bộ số %d", i+1),
						Category: calendar.Organisation, Enabled: true,
					}); err != nil {
						t.Fatal(err)
					}
				}
			}},
	}
	runGolden(t, tests, newEnv, nil)
}

// TestTodayUsesTheLocalDate: 00:30 on 5/6 in Vietnam is still 4/6 in UTC.
func TestTodayUsesTheLocalDate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedCalendar(t)
	at := time.Date(2024, 6, 4, 17, 30, 0, 0, time.UTC) // 00:30 on 5/6 in Vietnam
	e.bot.Now = func() time.Time { return at }
	got := text(t, e.handle(msg(privateChat, member, "/today")))
	if !strings.HasPrefix(got, "Hôm nay, thứ Tư, ngày 5/6/2024:") || !strings.Contains(got, "113 năm") {
		t.Errorf("/today at 00:30 local:\n%s", got)
	}
}

// TestCalendarSkipsDisabledEvents: a disabled event is neither today's nor upcoming.
func TestCalendarSkipsDisabledEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedCalendar(t)
	e.at(2024, 6, 5, 8, 0)
	events, err := e.store.Events(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if ev.Slug == "bac-ho-ra-di-tim-duong-cuu-nuoc" {
			if _, err := e.store.SetEventEnabled(context.Background(), ev.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, cmd := range []string{"/today", "/upcoming"} {
		if got := text(t, e.handle(msg(privateChat, member, cmd))); strings.Contains(got, "Bác Hồ ra đi") {
			t.Errorf("%s shows a disabled event:\n%s", cmd, got)
		}
	}
}
