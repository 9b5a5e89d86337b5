package admin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Frequency is how often a Repeat runs.
type Frequency string

// The frequencies.
const (
	Daily   Frequency = "daily"
	Weekly  Frequency = "weekly"
	Monthly Frequency = "monthly"
	Yearly  Frequency = "yearly"
)

// Repeat is a recurring schedule as a form chooses it: every day, every week on some
// days, every month on a day, every year on a day and month, at a time of day. Cron
// turns it into the cron expression announcements store, so no front end writes one.
type Repeat struct {
	Every Frequency
	// Weekdays are the days of a weekly repeat.
	Weekdays []time.Weekday
	// Day is the day of the month (monthly, yearly): 1–31; a day a month lacks is
	// skipped that month (31: months of 31 days only; 29/2: leap years only).
	Day int
	// Month is the month of a yearly repeat.
	Month time.Month
	// Time is the time of day, in ParseClock's forms ("07:00", "7h30").
	Time string
}

// daysIn is the most days a month has (February: 29, in leap years).
var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// Cron is the repeat as a five-field cron expression ("30 7 * * 1,3"), or a *FieldError
// naming what is missing or wrong.
func (r Repeat) Cron() (string, error) {
	h, m, err := ParseClock(r.Time)
	if err != nil {
		return "", err
	}
	at := strconv.Itoa(m) + " " + strconv.Itoa(h) + " "
	switch r.Every {
	case Daily:
		return at + "* * *", nil
	case Weekly:
		if len(r.Weekdays) == 0 {
			return "", &FieldError{Field: FieldWeekdays, Code: CodeRequired}
		}
		days := slices.Clone(r.Weekdays)
		slices.Sort(days)
		days = slices.Compact(days)
		parts := make([]string, len(days))
		for i, d := range days {
			if d < time.Sunday || d > time.Saturday {
				return "", fieldErr(FieldWeekdays, CodeOutOfRange, strconv.Itoa(int(d)), "want 0 (Sunday) to 6")
			}
			parts[i] = strconv.Itoa(int(d))
		}
		return at + "* * " + strings.Join(parts, ","), nil
	case Monthly:
		if r.Day < 1 || r.Day > 31 {
			return "", fieldErr(FieldDay, CodeOutOfRange, strconv.Itoa(r.Day), "want 1 to 31")
		}
		return at + strconv.Itoa(r.Day) + " * *", nil
	case Yearly:
		if r.Month < time.January || r.Month > time.December {
			return "", fieldErr(FieldMonth, CodeOutOfRange, strconv.Itoa(int(r.Month)), "want 1 to 12")
		}
		if r.Day < 1 || r.Day > daysIn[r.Month] {
			return "", fieldErr(FieldDay, CodeOutOfRange, strconv.Itoa(r.Day), fmt.Sprintf("want 1 to %d", daysIn[r.Month]))
		}
		return at + strconv.Itoa(r.Day) + " " + strconv.Itoa(int(r.Month)) + " *", nil
	case "":
		return "", &FieldError{Field: FieldRepeat, Code: CodeRequired}
	}
	return "", fieldErr(FieldRepeat, CodeInvalid, string(r.Every), "want daily, weekly, monthly or yearly")
}
