package calendar

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ICSOptions says what WriteICS exports.
type ICSOptions struct {
	// FromYear and ToYear (inclusive) bound the export: solar events recur
	// yearly from FromYear on; lunar events, which no RRULE can express, are
	// written as one dated event per year in the range.
	FromYear, ToYear int
	// Now stamps every event (DTSTAMP); injected so the output is reproducible.
	Now time.Time
	// Name is the calendar's display name (X-WR-CALNAME), optional.
	Name string
	// Domain makes UIDs globally unique ("<slug>@<domain>"); "loa" when empty.
	Domain string
}

// WriteICS writes the enabled events as an iCalendar (RFC 5545) file:
// CRLF line ends, lines folded at 75 octets without splitting a UTF-8
// character, TEXT values escaped (\\ \; \, \n). A solar event is one all-day
// VEVENT with a yearly RRULE (29/2 recurs on the last day of February, as
// Occurrences observes it); a lunar event becomes one VEVENT per lunar year in
// the range, its summary the notice text of that year. UIDs are stable across
// exports: "<slug>@<domain>" and "<slug>-<year>@<domain>".
func WriteICS(w io.Writer, events []Event, opts ICSOptions) error {
	if opts.ToYear < opts.FromYear || opts.FromYear < 1 || opts.ToYear > 9998 {
		return fmt.Errorf("write iCalendar: year range %d–%d is empty or outside 1–9998", opts.FromYear, opts.ToYear)
	}
	domain := opts.Domain
	if domain == "" {
		domain = "loa"
	}
	stamp := opts.Now.UTC().Format("20060102T150405Z")
	iw := &icsWriter{w: bufio.NewWriter(w)}
	iw.line("BEGIN", "VCALENDAR")
	iw.line("VERSION", "2.0")
	iw.line("PRODID", "-//loa//calendar//VI")
	iw.line("CALSCALE", "GREGORIAN")
	if opts.Name != "" {
		iw.line("X-WR-CALNAME", escapeText(opts.Name))
	}
	for _, e := range events {
		if !e.Enabled || e.Validate() != nil {
			continue
		}
		switch e.Kind {
		case Solar:
			iw.solar(e, opts.FromYear, stamp, domain)
		case Lunar:
			from := Date{Year: opts.FromYear, Month: time.January, Day: 1}
			to := Date{Year: opts.ToYear, Month: time.December, Day: 31}
			for y := opts.FromYear; y <= opts.ToYear; y++ {
				o, ok := observe(e, y)
				if !ok || o.Date.Before(from) || o.Date.After(to) {
					continue
				}
				iw.event(fmt.Sprintf("%s-%d@%s", e.Slug, y, domain), stamp, o.Date, "",
					NoticeText(o), description(e), e.Category)
			}
		}
	}
	iw.line("END", "VCALENDAR")
	if iw.err != nil {
		return fmt.Errorf("write iCalendar: %w", iw.err)
	}
	if err := iw.w.Flush(); err != nil {
		return fmt.Errorf("write iCalendar: %w", err)
	}
	return nil
}

func (iw *icsWriter) solar(e Event, fromYear int, stamp, domain string) {
	y := fromYear
	if e.FoundedYear >= y {
		y = e.FoundedYear + 1 // nothing to commemorate before the first anniversary
	}
	o, ok := observe(e, y)
	if !ok {
		return
	}
	rule := "FREQ=YEARLY"
	if e.Month == 2 && e.Day == 29 {
		rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
	}
	iw.event(e.Slug+"@"+domain, stamp, o.Date, rule, e.Title, description(e), e.Category)
}

func description(e Event) string {
	var parts []string
	if e.FoundedYear > 0 {
		if f, ok := e.Founded(); ok {
			parts = append(parts, "Ngày gốc: "+f.DMY())
		} else {
			parts = append(parts, fmt.Sprintf("Ngày gốc: %s năm %d", LunarDate{Day: e.Day, Month: e.Month, Leap: e.Leap}, e.FoundedYear))
		}
	}
	if e.Source != "" {
		parts = append(parts, "Nguồn: "+e.Source)
	}
	return strings.Join(parts, "\n")
}

func (iw *icsWriter) event(uid, stamp string, d Date, rule, summary, desc string, cat Category) {
	iw.line("BEGIN", "VEVENT")
	iw.line("UID", uid)
	iw.line("DTSTAMP", stamp)
	iw.line("DTSTART;VALUE=DATE", icsDate(d))
	iw.line("DTEND;VALUE=DATE", icsDate(d.AddDays(1)))
	if rule != "" {
		iw.line("RRULE", rule)
	}
	iw.line("SUMMARY", escapeText(summary))
	if desc != "" {
		iw.line("DESCRIPTION", escapeText(desc))
	}
	iw.line("CATEGORIES", escapeText(string(cat)))
	iw.line("TRANSP", "TRANSPARENT")
	iw.line("END", "VEVENT")
}

func icsDate(d Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day) }

// escapeText escapes an RFC 5545 TEXT value.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// icsWriter writes content lines, folded, keeping the first error.
type icsWriter struct {
	w   *bufio.Writer
	err error
}

// maxLineOctets is RFC 5545's limit on a content line, CRLF not counted.
const maxLineOctets = 75

func (iw *icsWriter) line(name, value string) {
	if iw.err != nil {
		return
	}
	s := name + ":" + value
	limit := maxLineOctets
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a multi-byte character
		}
		if _, iw.err = iw.w.WriteString(s[:cut] + "\r\n "); iw.err != nil {
			return
		}
		s = s[cut:]
		limit = maxLineOctets - 1 // continuation lines start with a space
	}
	_, iw.err = iw.w.WriteString(s + "\r\n")
}
