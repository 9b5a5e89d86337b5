package admin

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"loa/calendar"
)

// Bounds of the calendar's views.
const (
	// DefaultUpcomingDays and MaxUpcomingDays (ten years) bound Upcoming, and
	// MaxUpcomingDays the period of a Banner: each is worked out day by day, and a
	// request from the console must not ask for ten thousand years.
	DefaultUpcomingDays = 30
	MaxUpcomingDays     = 3660
	// ICSYearsAhead is how many years after the first an iCalendar export covers by
	// default (lunar days are written year by year).
	ICSYearsAhead = 2
)

// Export formats of the calendar.
const (
	FormatCSV = "csv"
	FormatICS = "ics"
)

// ParseDate reads a date as admins write it ("5/6/2024", "2024-06-05") for the field f.
func ParseDate(s string, f Field) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, &FieldError{Field: f, Code: CodeRequired}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, fieldErr(f, CodeInvalid, s, "want a date such as 2024-06-05 or 5/6/2024")
	}
	return d, nil
}

// today is the date now in LOA_TIMEZONE.
func (o *Ops) today() calendar.Date { return calendar.DateIn(o.now(), o.loc()) }

// Banner is the portal's greeting for the anniversaries of the enabled events from
// from to to, both included ("" when there are none).
func (o *Ops) Banner(ctx context.Context, from, to calendar.Date) (string, error) {
	if to.Before(from) {
		return "", fieldErr(FieldTo, CodeInvalid, to.DMY(), "is before the first day, "+from.DMY())
	}
	if to.Sub(from) >= MaxUpcomingDays {
		return "", fieldErr(FieldTo, CodeOutOfRange, to.DMY(), fmt.Sprintf("the period is longer than %d days", MaxUpcomingDays))
	}
	events, err := o.Store.Events(ctx, false)
	if err != nil {
		return "", err
	}
	return calendar.Banner(calendar.Occurrences(events, from, to)), nil
}

// Upcoming is the notices of the enabled events over days days from from (zero:
// today), with the last day.
func (o *Ops) Upcoming(ctx context.Context, from calendar.Date, days int) ([]calendar.Occurrence, calendar.Date, error) {
	if days < 1 || days > MaxUpcomingDays {
		return nil, calendar.Date{}, fieldErr(FieldDays, CodeOutOfRange, strconv.Itoa(days), fmt.Sprintf("want 1 to %d", MaxUpcomingDays))
	}
	if from == (calendar.Date{}) {
		from = o.today()
	}
	to := from.AddDays(days - 1)
	events, err := o.Store.Events(ctx, false)
	if err != nil {
		return nil, to, err
	}
	return calendar.Occurrences(events, from, to), to, nil
}

// ExportEvents writes the calendar as CSV (every event, for ImportEvents) or as
// iCalendar (the enabled events from fromYear to toYear; 0: this year, and ICSYearsAhead
// years after the first).
func (o *Ops) ExportEvents(ctx context.Context, w io.Writer, format string, fromYear, toYear int) error {
	switch {
	case format != FormatCSV && format != FormatICS:
		return fieldErr(FieldFormat, CodeInvalid, format, "want csv or ics")
	case format == FormatCSV && fromYear != 0:
		return &FieldError{Field: FieldFromYear, Code: CodeConflicting, Other: FieldFormat, Reason: "is for the ics format"}
	case format == FormatCSV && toYear != 0:
		return &FieldError{Field: FieldToYear, Code: CodeConflicting, Other: FieldFormat, Reason: "is for the ics format"}
	}
	if fromYear == 0 {
		fromYear = o.today().Year
	}
	if toYear == 0 {
		toYear = fromYear + ICSYearsAhead
	}
	// The year at fault is named: the first when it is out of 1–9998 itself, the last
	// otherwise.
	field, year := FieldFromYear, fromYear
	if fromYear >= 1 && fromYear <= 9998 {
		field, year = FieldToYear, toYear
	}
	if year < 1 || year > 9998 || toYear < fromYear {
		return fieldErr(field, CodeOutOfRange, strconv.Itoa(year),
			fmt.Sprintf("years %d–%d: want the first year ≤ the last, within 1–9998", fromYear, toYear))
	}
	events, err := o.Store.Events(ctx, true)
	if err != nil {
		return err
	}
	if format == FormatCSV {
		return calendar.WriteCSV(w, events)
	}
	return calendar.WriteICS(w, events, calendar.ICSOptions{
		FromYear: fromYear, ToYear: toYear, Now: o.now(), Name: "Ngày kỷ niệm", Domain: "loa"})
}

// ConvertDate reads a solar date and gives its lunar date, or with toSolar reads a
// lunar date (ParseLunarDate; leap: in the leap month) and gives its solar date. The
// lunar calendar is computed for MinLunarYear–MaxLunarYear.
func ConvertDate(s string, toSolar, leap bool) (calendar.Date, calendar.LunarDate, error) {
	if toSolar {
		l, err := ParseLunarDate(s)
		if err != nil {
			return calendar.Date{}, l, err
		}
		l.Leap = leap
		d, err := calendar.LunarToSolar(l)
		if err != nil {
			return d, l, fieldErr(FieldLunar, CodeInvalid, s, err.Error())
		}
		return d, l, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, calendar.LunarDate{}, fieldErr(FieldDate, CodeInvalid, s, err.Error()+"; want a date such as 2025-08-10 or 10/8/2025")
	}
	if d.Year < MinLunarYear || d.Year > MaxLunarYear {
		return d, calendar.LunarDate{}, fieldErr(FieldDate, CodeOutOfRange, s,
			fmt.Sprintf("year %d: the lunar calendar is computed for %d–%d", d.Year, MinLunarYear, MaxLunarYear))
	}
	return d, d.Lunar(), nil
}
