package calendar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidDate is wrapped by every error about a date that cannot be parsed
// or does not exist.
var ErrInvalidDate = errors.New("invalid date")

// Date is a civil (calendar) date with no time of day and no zone. Anniversaries
// are days, not instants: a Date cannot drift to the previous day the way a
// time.Time at midnight does when it is shown in another zone.
//
// The zero Date is not a valid date; valid years are 1–9999.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// jdnUnixEpoch is the Julian Day Number of 1970-01-01.
const jdnUnixEpoch = 2440588

// DateIn returns the civil date that t falls on in loc: 00:30 on 5/6 in
// Asia/Ho_Chi_Minh is 5/6 even though it is still 4/6 in UTC. A nil loc means
// t's own location.
func DateIn(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2024-06-05" (ISO 8601; one-digit month and day allowed) or
// "5/6/2024" (day/month/year, as the portal writes dates; leading zeros
// allowed). Surrounding spaces are ignored; the date must exist.
func ParseDate(s string) (Date, error) {
	in := strings.TrimSpace(s)
	var parts []string
	var y, m, d string
	switch {
	case strings.Contains(in, "-"):
		parts = strings.Split(in, "-")
		if len(parts) != 3 || len(parts[0]) != 4 {
			return Date{}, fmt.Errorf("parse date %q: %w: want YYYY-MM-DD or d/m/yyyy", s, ErrInvalidDate)
		}
		y, m, d = parts[0], parts[1], parts[2]
	case strings.Contains(in, "/"):
		parts = strings.Split(in, "/")
		if len(parts) != 3 || len(parts[2]) != 4 {
			return Date{}, fmt.Errorf("parse date %q: %w: want d/m/yyyy or YYYY-MM-DD", s, ErrInvalidDate)
		}
		d, m, y = parts[0], parts[1], parts[2]
	default:
		return Date{}, fmt.Errorf("parse date %q: %w: want YYYY-MM-DD or d/m/yyyy", s, ErrInvalidDate)
	}
	yn, err1 := parseDigits(y, 4)
	mn, err2 := parseDigits(m, 2)
	dn, err3 := parseDigits(d, 2)
	if err := errors.Join(err1, err2, err3); err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w: want YYYY-MM-DD or d/m/yyyy", s, ErrInvalidDate)
	}
	out := Date{Year: yn, Month: time.Month(mn), Day: dn}
	if err := out.check(); err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return out, nil
}

// parseDigits parses 1 to max ASCII digits (strconv.Atoi would also take signs).
func parseDigits(s string, max int) (int, error) {
	if s == "" || len(s) > max {
		return 0, ErrInvalidDate
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrInvalidDate
		}
	}
	return strconv.Atoi(s)
}

// check reports why d is not a real date, or nil.
func (d Date) check() error {
	switch {
	case d.Year < 1 || d.Year > 9999:
		return fmt.Errorf("%w: year %d outside 1–9999", ErrInvalidDate, d.Year)
	case d.Month < time.January || d.Month > time.December:
		return fmt.Errorf("%w: month %d outside 1–12", ErrInvalidDate, int(d.Month))
	case d.Day < 1 || d.Day > daysIn(d.Year, d.Month):
		return fmt.Errorf("%w: %s %d has no day %d", ErrInvalidDate, d.Month, d.Year, d.Day)
	}
	return nil
}

// Valid reports whether d is a real date in years 1–9999.
func (d Date) Valid() bool { return d.check() == nil }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as ISO 8601, "2024-06-05".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// DMY formats d the way the portal writes dates, day/month/year without leading
// zeros: "5/6/2024" (years before 1000 keep four digits, "1/1/0999", so that
// ParseDate reads them back).
func (d Date) DMY() string {
	return fmt.Sprintf("%d/%d/%04d", d.Day, int(d.Month), d.Year)
}

// weekdayNames name the days of the week mid-sentence, from Sunday.
var weekdayNames = [7]string{"chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}

// WeekdayName names a day of the week as written mid-sentence: "thứ Hai", "chủ nhật".
func WeekdayName(w time.Weekday) string { return weekdayNames[w] }

// LongDMY writes d for a sentence, with its day of the week: "thứ Tư, ngày 5/6/2024".
func (d Date) LongDMY() string { return WeekdayName(d.Weekday()) + ", ngày " + d.DMY() }

// LongTime writes an instant for a sentence, in t's own zone (the caller picks it):
// "07:00, thứ Tư, ngày 5/6/2024". The bot's replies and admin's errors both say times
// so.
func LongTime(t time.Time) string {
	return t.Format("15:04") + ", " + DateIn(t, t.Location()).LongDMY()
}

// MarshalText encodes d as "2024-06-05".
func (d Date) MarshalText() ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return []byte(d.String()), nil
}

// UnmarshalText accepts what ParseDate accepts.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date { return dateOfJDN(d.jdn() + n) }

// Sub returns the number of days from e to d (d - e).
func (d Date) Sub(e Date) int { return d.jdn() - e.jdn() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Weekday((d.jdn() + 1) % 7)
}

// In returns midnight at the start of d in loc (UTC when loc is nil).
func (d Date) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Lunar returns the Vietnamese lunar date of d.
func (d Date) Lunar() LunarDate { return SolarToLunar(d.Year, d.Month, d.Day) }

// jdn returns the Julian Day Number of d; out-of-range fields are normalised
// the way time.Date does.
func (d Date) jdn() int { return jdnOf(d.Year, d.Month, d.Day) }

func jdnOf(year int, month time.Month, day int) int {
	// Midnight UTC is a whole number of days from the Unix epoch.
	return int(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix()/86400) + jdnUnixEpoch
}

func dateOfJDN(j int) Date {
	y, m, d := time.Unix(int64(j-jdnUnixEpoch)*86400, 0).UTC().Date()
	return Date{Year: y, Month: m, Day: d}
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeapYear(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// WeekdayTitle names a day of the week as it starts a sentence: "Thứ Hai", "Chủ nhật".
func WeekdayTitle(w time.Weekday) string {
	name := WeekdayName(w)
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}
