package admin

import (
	"strconv"
	"strings"
	"time"

	"loa/calendar"
)

// ParseID reads an id as admins write it: "12" or "#12" (as lists show them); a
// positive number.
func ParseID(s string) (int64, error) {
	in := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if in == "" || !allDigits(in) {
		return 0, fieldErr(FieldID, CodeInvalid, s, "want a number such as 12")
	}
	id, err := strconv.ParseInt(in, 10, 64)
	if err != nil || id <= 0 {
		return 0, fieldErr(FieldID, CodeInvalid, s, "want a number such as 12")
	}
	return id, nil
}

// ParseClock reads a time of day as it is written in Vietnam: "07:00", "7:00", "7h30",
// "7h" (and "07h30").
func ParseClock(s string) (hour, minute int, err error) {
	bad := fieldErr(FieldTime, CodeInvalid, s, "want a time of day such as 07:00 or 7h30")
	in := strings.ToLower(strings.TrimSpace(s))
	hs, ms, found := strings.Cut(in, ":")
	if !found {
		if hs, ms, found = strings.Cut(in, "h"); !found {
			return 0, 0, bad
		}
		if ms == "" {
			ms = "00"
		}
	}
	if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !allDigits(hs) || !allDigits(ms) {
		return 0, 0, bad
	}
	hour, _ = strconv.Atoi(hs)
	minute, _ = strconv.Atoi(ms)
	if hour > 23 || minute > 59 {
		return 0, 0, bad
	}
	return hour, minute, nil
}

// FormatClock writes a time of day the way schedules store it: "07:30".
func FormatClock(hour, minute int) string {
	return time.Date(2000, 1, 1, hour, minute, 0, 0, time.UTC).Format("15:04")
}

// ParseWhen reads a local date and time in loc: a date ("5/6/2024", "05/06/2024",
// "2024-06-05") and a time of day ParseClock reads, in either order ("5/6/2024 7h30",
// "07:00 2024-06-05"); a date alone is its midnight. It is the one grammar of the CLI's
// --at, the bot's /schedule and the web console's date fields.
func ParseWhen(s string, loc *time.Location) (time.Time, error) {
	bad := fieldErr(FieldAt, CodeInvalid, s, `want a local date and time such as "5/6/2024 07:00", "5/6/2024 7h30" or "2024-06-05 07:00"`)
	parts := strings.Fields(s)
	var date, clock string
	switch len(parts) {
	case 1:
		date = parts[0]
	case 2:
		date, clock = parts[0], parts[1]
		if _, err := calendar.ParseDate(date); err != nil {
			date, clock = clock, date
		}
	default:
		return time.Time{}, bad
	}
	d, err := calendar.ParseDate(date)
	if err != nil {
		return time.Time{}, bad
	}
	h, m := 0, 0
	if clock != "" {
		if h, m, err = ParseClock(clock); err != nil {
			return time.Time{}, bad
		}
	}
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, loc), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
