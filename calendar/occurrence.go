package calendar

import (
	"cmp"
	"slices"
	"time"
)

// Round-anniversary labels, as the portal writes them.
const (
	RoundTen  = "năm tròn" // N % 10 == 0
	RoundFive = "năm lẻ 5" // N % 5 == 0, not a multiple of 10
)

// Occurrence is one day on which an event is announced.
type Occurrence struct {
	Event Event
	// Date is the day of the notice: the anniversary itself, or AdvanceDays
	// before it for an advance notice.
	Date Date
	// Anniversary is the day the event is observed that year (equal to Date
	// unless Advance).
	Anniversary Date
	// Years is N in "N-th anniversary", 0 for events without a founding year.
	Years int
	// Round is RoundTen, RoundFive or "".
	Round string
	// Lunar is the lunar date observed, for lunar events: after the rules for
	// day 30 and leap months, so it may differ from the event's day and month.
	Lunar *LunarDate
	// Advance marks the advance notice of a round anniversary.
	Advance bool
}

// RoundLabel returns RoundTen for N % 10 == 0, RoundFive for N % 5 == 0 and ""
// otherwise (and for N <= 0).
func RoundLabel(years int) string {
	switch {
	case years <= 0:
		return ""
	case years%10 == 0:
		return RoundTen
	case years%5 == 0:
		return RoundFive
	}
	return ""
}

// Occurrences returns what to announce on each day from from to to, both
// included: every enabled event's anniversary in the range, plus the advance
// notices dated in the range for round anniversaries up to AdvanceDays later.
// They are sorted by Date, anniversaries before advance notices, then by
// event ID and slug.
//
// Events that do not Validate are skipped: callers validate on the way in
// (ReadCSV and the store do).
func Occurrences(events []Event, from, to Date) []Occurrence {
	if to.Before(from) {
		return nil
	}
	var out []Occurrence
	for _, e := range events {
		if !e.Enabled || e.Validate() != nil {
			continue
		}
		last := to.AddDays(e.AdvanceDays) // anniversaries whose advance notice falls in range
		first := from.Year
		if e.Kind == Lunar {
			first-- // months 11 and 12 of a lunar year run into the next solar year
		}
		for y := first; y <= last.Year; y++ {
			o, ok := observe(e, y)
			if !ok || o.Anniversary.Before(from) || o.Anniversary.After(last) {
				continue
			}
			if !o.Anniversary.After(to) {
				out = append(out, o)
			}
			if o.Round != "" && e.AdvanceDays > 0 {
				a := o
				a.Advance = true
				a.Date = o.Anniversary.AddDays(-e.AdvanceDays)
				if !a.Date.Before(from) && !a.Date.After(to) {
					out = append(out, a)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Occurrence) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if a.Advance != b.Advance {
			if a.Advance {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Event.ID, b.Event.ID), cmp.Compare(a.Event.Slug, b.Event.Slug))
	})
	return out
}

// observe returns the occurrence of e in year y (the lunar year for lunar
// events); ok is false when there is none (before or in the founding year,
// outside the supported years).
func observe(e Event, y int) (Occurrence, bool) {
	if y < 1 || y > 9998 {
		return Occurrence{}, false
	}
	o := Occurrence{Event: e}
	if e.FoundedYear > 0 {
		o.Years = y - e.FoundedYear
		if o.Years < 1 {
			return Occurrence{}, false
		}
		o.Round = RoundLabel(o.Years)
	}
	switch e.Kind {
	case Solar:
		day := e.Day
		if e.Month == 2 && day == 29 && !isLeapYear(y) {
			day = 28 // 29/2 is observed on the last day of February
		}
		o.Anniversary = Date{Year: y, Month: time.Month(e.Month), Day: day}
	case Lunar:
		l := LunarDate{Day: e.Day, Month: e.Month, Year: y}
		// A leap-month event falls back to the regular month in years
		// without that leap month.
		l.Leap = e.Leap && LeapMonth(y) == e.Month
		n, err := MonthLength(y, l.Month, l.Leap)
		if err != nil {
			return Occurrence{}, false
		}
		l.Day = min(l.Day, n) // day 30 of a 29-day month is observed on day 29
		d, err := LunarToSolar(l)
		if err != nil {
			return Occurrence{}, false
		}
		o.Anniversary = d
		o.Lunar = &l
	}
	o.Date = o.Anniversary
	return o, true
}
