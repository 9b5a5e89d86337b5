package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind says which calendar an event's day and month are in.
type Kind string

// The calendars an event can be defined in.
const (
	Solar Kind = "solar" // Gregorian (dương lịch)
	Lunar Kind = "lunar" // Vietnamese lunar (âm lịch)
)

// Category says whose commemorative day an event is; it orders the banner.
type Category string

// The categories of events.
const (
	National     Category = "national"     // the whole country's days
	Province     Category = "province"     // the province's own days
	Organisation Category = "organisation" // the portal's own organisation
)

// DefaultAdvanceDays is how many days before a round anniversary the advance
// notice goes out when an imported row leaves advance_days empty.
const DefaultAdvanceDays = 7

// maxAdvanceDays bounds Event.AdvanceDays: one notice a year ahead at most.
const maxAdvanceDays = 365

// ErrInvalidEvent is wrapped by every Event.Validate error.
var ErrInvalidEvent = errors.New("invalid event")

// Event is a commemorative day that comes back every year.
type Event struct {
	// ID is the store's key; 0 for events not stored (the built-in list, imports).
	ID int64
	// Slug identifies the event across imports and in broadcast source keys:
	// lowercase ASCII letters, digits and single hyphens, e.g. "quoc-khanh".
	Slug string
	// Title is written to follow "Kỷ niệm N năm ": "Ngày Quốc khánh …",
	// "thành lập Đảng bộ …". Events without a founding year read the title
	// alone: "Tết Nguyên đán", "Giỗ Tổ Hùng Vương".
	Title string
	Kind  Kind
	// Day and Month are in the calendar of Kind.
	Day, Month int
	// Leap marks a lunar event defined on a leap month (see the package doc).
	Leap bool
	// FoundedYear is the year of the original event (the lunar year for lunar
	// events), 0 when anniversaries are not counted.
	FoundedYear int
	Category    Category
	// AdvanceDays is how many days before a round anniversary (N % 5 == 0) an
	// advance notice goes out; 0 means none.
	AdvanceDays int
	// Source names the document the day comes from.
	Source string
	// Enabled events produce occurrences; disabled ones are kept but silent.
	Enabled bool
	// Version is the store's count of admins' edits, 0 for events not stored: an edit
	// names the version it was made from, so that a second admin's stale edit is refused.
	Version int
}

// Validate reports every problem with e in one error wrapping ErrInvalidEvent:
// "invalid event: title: empty; month 13 outside 1–12".
func (e Event) Validate() error {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	if !validSlug(e.Slug) {
		bad("slug %q: want 1–64 lowercase letters, digits and single hyphens, like \"quoc-khanh\"", e.Slug)
	}
	if err := checkText(e.Title, 300); err != nil || e.Title == "" {
		if err == nil {
			err = errors.New("empty")
		}
		bad("title: %v", err)
	}
	if err := checkText(e.Source, 500); err != nil {
		bad("source: %v", err)
	}
	if e.Month < 1 || e.Month > 12 {
		bad("month %d outside 1–12", e.Month)
	}
	switch e.Kind {
	case Solar:
		if e.Leap {
			bad("leap is only for lunar events")
		}
		// Any year's date is allowed, 29/2 included (a leap year's).
		if e.Month >= 1 && e.Month <= 12 && (e.Day < 1 || e.Day > daysIn(2000, time.Month(e.Month))) {
			bad("day %d does not exist in month %d", e.Day, e.Month)
		}
	case Lunar:
		if e.Day < 1 || e.Day > 30 {
			bad("lunar day %d outside 1–30", e.Day)
		}
	default:
		bad("kind %q: want %q or %q", e.Kind, Solar, Lunar)
	}
	if e.FoundedYear < 0 || e.FoundedYear > 9999 {
		bad("founded year %d outside 1–9999 (0 for none)", e.FoundedYear)
	}
	switch e.Category {
	case National, Province, Organisation:
	default:
		bad("category %q: want %q, %q or %q", e.Category, National, Province, Organisation)
	}
	if e.AdvanceDays < 0 || e.AdvanceDays > maxAdvanceDays {
		bad("advance days %d outside 0–%d", e.AdvanceDays, maxAdvanceDays)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, strings.Join(problems, "; "))
	}
	return nil
}

// Founded returns the solar date of the original event, for solar events with a
// founding year; ok is false otherwise.
func (e Event) Founded() (d Date, ok bool) {
	if e.Kind != Solar || e.FoundedYear == 0 {
		return Date{}, false
	}
	return Date{Year: e.FoundedYear, Month: time.Month(e.Month), Day: e.Day}, true
}

func validSlug(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// checkText rejects what would break a one-line notice or an export.
func checkText(s string, max int) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%d characters, at most %d", n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("control character %U", r)
		}
	}
	return nil
}
