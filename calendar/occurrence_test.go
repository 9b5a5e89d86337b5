package calendar

import (
	"fmt"
	"testing"
	"time"
)

// ev builds an enabled event for tests; only what the test sets matters.
func ev(slug string, kind Kind, day, month, founded int) Event {
	return Event{
		Slug: slug, Title: "Ngày " + slug, Kind: kind, Day: day, Month: month,
		FoundedYear: founded, Category: National, AdvanceDays: DefaultAdvanceDays, Enabled: true,
	}
}

func d(y int, m time.Month, day int) Date { return Date{Year: y, Month: m, Day: day} }

func builtin(t *testing.T) []Event {
	t.Helper()
	events, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func bySlug(t *testing.T, events []Event, slug string) Event {
	t.Helper()
	for _, e := range events {
		if e.Slug == slug {
			return e
		}
	}
	t.Fatalf("no event %q", slug)
	return Event{}
}

// occ summarises an occurrence for comparisons.
func occ(o Occurrence) string {
	s := fmt.Sprintf("%s %s N=%d", o.Date, o.Event.Slug, o.Years)
	if o.Round != "" {
		s += " " + o.Round
	}
	if o.Lunar != nil {
		s += " " + o.Lunar.String()
	}
	if o.Advance {
		s += fmt.Sprintf(" advance of %s", o.Anniversary)
	}
	return s
}

func occs(list []Occurrence) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = occ(o)
	}
	return out
}

func equalLists(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d occurrences, want %d:\n got %q\nwant %q", len(got), len(want), got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("occurrence %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

func TestOccurrences(t *testing.T) {
	t.Parallel()
	feb29 := ev("feb29", Solar, 29, 2, 2000)
	tatNien := ev("tat-nien", Lunar, 30, 12, 0) // no founding year: no advance notices
	regular6 := ev("ram-thang-6", Lunar, 15, 6, 0)
	leap6 := ev("ram-thang-6-nhuan", Lunar, 15, 6, 0)
	leap6.Leap = true
	noAdvance := ev("no-advance", Solar, 2, 9, 1945)
	noAdvance.AdvanceDays = 0
	disabled := ev("disabled", Solar, 2, 9, 1945)
	disabled.Enabled = false
	future := ev("future", Solar, 1, 7, 2025)
	sameDayA, sameDayB := ev("b-second", Solar, 5, 6, 1911), ev("a-first", Solar, 5, 6, 2000)
	sameDayA.ID, sameDayB.ID = 1, 2
	bad := ev("bad", Solar, 31, 4, 1945) // never valid: skipped

	tests := []struct {
		name     string
		events   []Event
		from, to Date
		want     []string
	}{
		{"29/2 in a leap year", []Event{feb29}, d(2024, 1, 1), d(2024, 12, 31),
			[]string{"2024-02-29 feb29 N=24"}},
		{"29/2 observed on 28/2 in a common year, with its advance notice", []Event{feb29}, d(2025, 1, 1), d(2025, 12, 31),
			[]string{"2025-02-21 feb29 N=25 năm lẻ 5 advance of 2025-02-28", "2025-02-28 feb29 N=25 năm lẻ 5"}},
		{"29/2 in 2100, not a leap year", []Event{feb29}, d(2100, 2, 28), d(2100, 3, 1),
			[]string{"2100-02-28 feb29 N=100 năm tròn"}},
		{"lunar day 30 in a 30-day month", []Event{tatNien}, d(2024, 1, 1), d(2024, 12, 31),
			[]string{"2024-02-09 tat-nien N=0 ngày 30 tháng Chạp âm lịch"}},
		{"lunar day 30 observed on 29 in a 29-day month", []Event{tatNien}, d(2025, 1, 1), d(2025, 12, 31),
			[]string{"2025-01-28 tat-nien N=0 ngày 29 tháng Chạp âm lịch"}},
		{"regular-month event skips the leap month", []Event{regular6}, d(2025, 1, 1), d(2025, 12, 31),
			[]string{"2025-07-09 ram-thang-6 N=0 ngày 15 tháng 6 âm lịch"}},
		{"leap-month event in a year with that leap month", []Event{leap6}, d(2025, 1, 1), d(2025, 12, 31),
			[]string{"2025-08-08 ram-thang-6-nhuan N=0 ngày 15 tháng 6 nhuận âm lịch"}},
		{"leap-month event falls back to the regular month", []Event{leap6}, d(2024, 1, 1), d(2024, 12, 31),
			[]string{"2024-07-20 ram-thang-6-nhuan N=0 ngày 15 tháng 6 âm lịch"}},
		{"round year without advance days", []Event{noAdvance}, d(2025, 8, 1), d(2025, 9, 30),
			[]string{"2025-09-02 no-advance N=80 năm tròn"}},
		{"disabled and invalid events are silent", []Event{disabled, bad}, d(2025, 1, 1), d(2025, 12, 31), []string{}},
		{"nothing in or before the founding year", []Event{future}, d(2024, 1, 1), d(2026, 12, 31),
			[]string{"2026-07-01 future N=1"}},
		{"only the advance notice is in range", []Event{bySlug(t, builtin(t), "quoc-khanh")}, d(2025, 8, 26), d(2025, 8, 26),
			[]string{"2025-08-26 quoc-khanh N=80 năm tròn advance of 2025-09-02"}},
		{"no advance notice for a year that is not round", []Event{bySlug(t, builtin(t), "quoc-khanh")}, d(2024, 8, 1), d(2024, 9, 30),
			[]string{"2024-09-02 quoc-khanh N=79"}},
		{"advance notice across the new year", []Event{bySlug(t, builtin(t), "tong-tuyen-cu-quoc-hoi")}, d(2025, 12, 25), d(2025, 12, 31),
			[]string{"2025-12-30 tong-tuyen-cu-quoc-hoi N=80 năm tròn advance of 2026-01-06"}},
		{"Tết of the lunar year starting in range only", []Event{bySlug(t, builtin(t), "tet-nguyen-dan")}, d(2025, 1, 1), d(2025, 12, 31),
			[]string{"2025-01-29 tet-nguyen-dan N=0 mùng 1 tháng Giêng âm lịch"}},
		{"same day sorted by ID", []Event{sameDayB, sameDayA}, d(2024, 6, 5), d(2024, 6, 5),
			[]string{"2024-06-05 b-second N=113", "2024-06-05 a-first N=24"}},
		{"empty range", []Event{sameDayA}, d(2024, 6, 6), d(2024, 6, 5), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			equalLists(t, occs(Occurrences(tt.events, tt.from, tt.to)), tt.want)
		})
	}
}

// TestLeapMonthEventOncePerYear walks years with and without the leap month:
// each lunar event happens exactly once per lunar year.
func TestLeapMonthEventOncePerYear(t *testing.T) {
	t.Parallel()
	regular := ev("regular", Lunar, 30, 6, 1990)
	leap := ev("leap", Lunar, 30, 6, 1990)
	leap.Leap = true
	for y := 2020; y <= 2030; y++ {
		for _, e := range []Event{regular, leap} {
			var got []Occurrence
			for _, o := range Occurrences([]Event{e}, d(y-1, 1, 1), d(y+1, 12, 31)) {
				if !o.Advance && o.Lunar.Year == y {
					got = append(got, o)
				}
			}
			if len(got) != 1 {
				t.Errorf("%s in lunar %d: %q, want one", e.Slug, y, occs(got))
				continue
			}
			l := *got[0].Lunar
			wantLeap := e.Leap && LeapMonth(y) == 6
			if l.Leap != wantLeap || l.Month != 6 || l.Year != y {
				t.Errorf("%s in lunar %d: %+v", e.Slug, y, l)
			}
			if n, _ := MonthLength(y, 6, wantLeap); l.Day != min(30, n) {
				t.Errorf("%s in lunar %d observed on day %d, month has %d days", e.Slug, y, l.Day, n)
			}
			if got[0].Years != y-1990 {
				t.Errorf("%s in lunar %d: N = %d", e.Slug, y, got[0].Years)
			}
		}
	}
}

func TestRoundLabel(t *testing.T) {
	t.Parallel()
	tests := map[int]string{0: "", 1: "", 4: "", 5: "năm lẻ 5", 10: "năm tròn", 15: "năm lẻ 5", 55: "năm lẻ 5", 80: "năm tròn", 113: "", -5: ""}
	for n, want := range tests {
		if got := RoundLabel(n); got != want {
			t.Errorf("RoundLabel(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestBuiltinYear checks a whole year of the built-in calendar: one
// anniversary per event and an advance notice for each round one.
func TestBuiltinYear(t *testing.T) {
	t.Parallel()
	events := builtin(t)
	list := Occurrences(events, d(2025, 1, 1), d(2025, 12, 31))
	seen := map[string]int{}
	var round, advance int
	for i, o := range list {
		if i > 0 && o.Date.Before(list[i-1].Date) {
			t.Errorf("not sorted: %s after %s", occ(o), occ(list[i-1]))
		}
		if o.Advance {
			if o.Anniversary.Year == 2025 {
				advance++
			} else if occ(o) != "2025-12-30 tong-tuyen-cu-quoc-hoi N=80 năm tròn advance of 2026-01-06" {
				t.Errorf("unexpected advance notice %s", occ(o))
			}
			if o.Anniversary.Sub(o.Date) != o.Event.AdvanceDays {
				t.Errorf("%s: advance notice %d days ahead", occ(o), o.Anniversary.Sub(o.Date))
			}
			continue
		}
		seen[o.Event.Slug]++
		if o.Round != "" {
			round++
		}
	}
	for _, e := range events {
		want := 1
		if e.Slug == "thanh-lap-tinh-ninh-binh-2025" {
			want = 0 // founded that year
		}
		if seen[e.Slug] != want {
			t.Errorf("%s: %d anniversaries in 2025, want %d", e.Slug, seen[e.Slug], want)
		}
	}
	// 2025 is round for many days (1930, 1945, 1975, …); count them from the data.
	var wantRound int
	for _, e := range events {
		if e.FoundedYear > 0 && e.FoundedYear < 2025 && (2025-e.FoundedYear)%5 == 0 {
			wantRound++
		}
	}
	if round != wantRound || advance != wantRound {
		t.Errorf("2025: %d round anniversaries and %d advance notices, want %d of each", round, advance, wantRound)
	}
}
