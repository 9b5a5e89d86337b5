package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"loa/admin"
	"loa/calendar"
)

// openCalendar opens a session with the built-in events seeded, so that a fresh install
// lists them. Seeding adds only the built-in slugs not there yet: an admin's edits and
// disables stay.
func (e env) openCalendar() (*session, error) {
	s, err := e.open()
	if err != nil {
		return nil, err
	}
	builtin, err := calendar.Builtin()
	if err == nil {
		_, err = s.st.SeedBuiltinEvents(e.ctx, builtin)
	}
	return s, err
}

// eventDate writes an event's day the short way: "5/6", "10/3 âm lịch",
// "17/6 nhuận âm lịch".
func eventDate(ev calendar.Event) string {
	s := strconv.Itoa(ev.Day) + "/" + strconv.Itoa(ev.Month)
	if ev.Kind == calendar.Lunar {
		if ev.Leap {
			s += " nhuận"
		}
		s += " âm lịch"
	}
	return s
}

// eventJSON is an event as `calendar list --json` prints it.
type eventJSON struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Kind        string `json:"kind"`
	Day         int    `json:"day"`
	Month       int    `json:"month"`
	Leap        bool   `json:"leap"`
	Date        string `json:"date"`
	FoundedYear int    `json:"founded_year,omitempty"`
	Title       string `json:"title"`
	Category    string `json:"category"`
	AdvanceDays int    `json:"advance_days"`
	Enabled     bool   `json:"enabled"`
	Source      string `json:"source"`
}

func (e env) calendarList(args []string) error {
	fs := newFlags("calendar list")
	all := fs.Bool("all", false, "include disabled events")
	asJSON, err := jsonFlag(fs, args)
	if err != nil {
		return err
	}
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	events, err := s.st.Events(e.ctx, *all)
	if err != nil {
		return err
	}
	out := make([]eventJSON, len(events))
	for i, ev := range events {
		out[i] = eventJSON{ID: ev.ID, Slug: ev.Slug, Kind: string(ev.Kind), Day: ev.Day, Month: ev.Month,
			Leap: ev.Leap, Date: eventDate(ev), FoundedYear: ev.FoundedYear, Title: ev.Title,
			Category: string(ev.Category), AdvanceDays: ev.AdvanceDays, Enabled: ev.Enabled, Source: ev.Source}
	}
	return show(e, asJSON, out, "no enabled events; see them all with: loa calendar list --all",
		"ID\tSLUG\tDATE\tFOUNDED\tTITLE\tCATEGORY\tADVANCE\tENABLED\tSOURCE", func(ev eventJSON) []any {
			return []any{ev.ID, ev.Slug, ev.Date, dashIfZero(ev.FoundedYear),
				clip(ev.Title, 60), ev.Category, ev.AdvanceDays, yesNo(ev.Enabled), orDash(clip(ev.Source, 40))}
		})
}

// eventFlags are the flags of calendar add and edit; change is what was given.
func eventFlags(fs *flag.FlagSet) (change func() admin.EventChange) {
	var c admin.EventChange
	str := map[string]**string{"title": &c.Title, "date": &c.Date, "lunar": &c.Lunar, "category": &c.Category,
		"slug": &c.Slug, "source": &c.Source}
	vals := map[string]*string{
		"title":    fs.String("title", "", "the title, written to follow \"Kỷ niệm N năm \""),
		"date":     fs.String("date", "", "solar day/month, or day/month/founding year"),
		"lunar":    fs.String("lunar", "", "lunar day/month"),
		"category": fs.String("category", string(admin.DefaultCategory), "national, province or organisation"),
		"slug":     fs.String("slug", "", "identifier, like thanh-lap-dang-bo (default: from the title)"),
		"source":   fs.String("source", "", "the document the day comes from"),
	}
	leap := fs.Bool("leap", false, "the lunar month is a leap month")
	founded := fs.Int("founded", 0, "the founding year (0: anniversaries not counted)")
	advance := fs.Int("advance", calendar.DefaultAdvanceDays, "days before a round anniversary for the advance notice (0: none)")
	return func() admin.EventChange {
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "leap":
				c.Leap = leap
			case "founded":
				c.Founded = founded
			case "advance":
				c.Advance = advance
			default:
				*str[f.Name] = vals[f.Name]
			}
		})
		return c
	}
}

// nextNotice describes the event's next anniversary notice from today on.
func nextNotice(ev calendar.Event, from calendar.Date) string {
	for _, o := range calendar.Occurrences([]calendar.Event{ev}, from, from.AddDays(2*366)) {
		if !o.Advance {
			return o.Date.DMY() + ": " + calendar.NoticeText(o)
		}
	}
	return "none in the next two years"
}

func (e env) printEvent(s *session, verb string, ev calendar.Event) error {
	founded, state := "", ""
	if ev.FoundedYear != 0 {
		founded = fmt.Sprintf(", founded %d", ev.FoundedYear)
	}
	if !ev.Enabled {
		state = ", disabled"
	}
	fmt.Fprintf(e.stdout, "%s event %d: %s\n  %s (%s%s), %s%s\n", verb, ev.ID, ev.Slug, ev.Title,
		eventDate(ev), founded, ev.Category, state)
	if ev.Enabled {
		fmt.Fprintf(e.stdout, "  next notice: %s\n", nextNotice(ev, calendar.DateIn(time.Now(), s.cfg.Location)))
	}
	return nil
}

func (e env) calendarAdd(args []string) error {
	fs := newFlags("calendar add")
	change := eventFlags(fs)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	ev, err := s.ops.AddEvent(e.ctx, e.actor(), change())
	if err != nil {
		return fail("calendar add", "event not added", err)
	}
	return e.printEvent(s, "added", ev)
}

func (e env) calendarEdit(args []string) error {
	fs := newFlags("calendar edit")
	change := eventFlags(fs)
	pos, err := parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	id, err := admin.ParseID(pos[0])
	if err != nil {
		return usagef("calendar edit: %q is not an event id (see loa calendar list --all)", pos[0])
	}
	c := change()
	if len(c.Fields()) == 0 {
		return usagef("calendar edit: nothing to change; give --title, --date, --lunar, --leap, --founded, --category, --advance, --slug or --source")
	}
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	ev, err := s.ops.EditEvent(e.ctx, e.actor(), id, 0, c)
	if err != nil {
		return fail("calendar edit", "event not changed", err)
	}
	return e.printEvent(s, "changed", ev)
}

// calendarEnable is calendar enable (or disable).
func calendarEnable(enable bool) func(env, []string) error {
	cmd, verb := "calendar disable", "disabled"
	if enable {
		cmd, verb = "calendar enable", "enabled"
	}
	return func(e env, args []string) error {
		id, err := oneID(cmd, "event", args)
		if err != nil {
			return err
		}
		s, err := e.openCalendar()
		if err != nil {
			return err
		}
		ev, err := s.ops.EnableEvent(e.ctx, e.actor(), id, enable)
		if err != nil {
			return fail(cmd, "", err)
		}
		return e.printEvent(s, verb, ev)
	}
}

func (e env) calendarImport(args []string) error {
	pos, err := parseArgs(newFlags("calendar import"), args, "FILE.csv")
	if err != nil {
		return err
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	read, added, updated, err := s.ops.ImportEvents(e.ctx, e.actor(), file, pos[0])
	if err != nil {
		return fail("calendar import", "nothing imported", err)
	}
	_, err = fmt.Fprintf(e.stdout, "imported %d events from %s: %d added, %d updated\n", read, pos[0], added, updated)
	return err
}

func (e env) calendarExport(args []string) error {
	fs := newFlags("calendar export")
	format := fs.String("format", admin.FormatCSV, "csv (every event, for calendar import) or ics (iCalendar, enabled events)")
	fromYear := fs.Int("from-year", 0, "first year of an ics export (default: this year)")
	toYear := fs.Int("to-year", 0, fmt.Sprintf("last year of an ics export (default: %d years after --from-year)", admin.ICSYearsAhead))
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	return fail("calendar export", "", s.ops.ExportEvents(e.ctx, e.stdout, *format, *fromYear, *toYear))
}

func (e env) calendarBanner(args []string) error {
	fs := newFlags("calendar banner")
	fromS := fs.String("from", "", "first day (2024-06-01 or 1/6/2024)")
	toS := fs.String("to", "", "last day")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	from, err := admin.ParseDate(*fromS, admin.FieldFrom)
	if err != nil {
		return fail("calendar banner", "", err)
	}
	to, err := admin.ParseDate(*toS, admin.FieldTo)
	if err != nil {
		return fail("calendar banner", "", err)
	}
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	banner, err := s.ops.Banner(e.ctx, from, to)
	switch {
	case err != nil:
		return fail("calendar banner", "", err)
	case banner == "":
		fmt.Fprintf(e.stderr, "loa: no anniversaries between %s and %s\n", from.DMY(), to.DMY())
		return nil
	}
	_, err = fmt.Fprintln(e.stdout, banner)
	return err
}

// occurrenceJSON is a notice as `calendar upcoming --json` prints it.
type occurrenceJSON struct {
	Date        calendar.Date       `json:"date"`
	Anniversary calendar.Date       `json:"anniversary"`
	EventID     int64               `json:"event_id"`
	Slug        string              `json:"slug"`
	Title       string              `json:"title"`
	Category    string              `json:"category"`
	Years       int                 `json:"years,omitempty"`
	Round       string              `json:"round,omitempty"`
	Advance     bool                `json:"advance"`
	Lunar       *calendar.LunarDate `json:"lunar,omitempty"`
	Notice      string              `json:"notice"`
}

func (e env) calendarUpcoming(args []string) error {
	fs := newFlags("calendar upcoming")
	fromS := fs.String("from", "", "first day (default: today in LOA_TIMEZONE)")
	days := fs.Int("days", admin.DefaultUpcomingDays, "how many days")
	asJSON, err := jsonFlag(fs, args)
	if err != nil {
		return err
	}
	var from calendar.Date
	if *fromS != "" {
		if from, err = admin.ParseDate(*fromS, admin.FieldFrom); err != nil {
			return fail("calendar upcoming", "", err)
		}
	}
	s, err := e.openCalendar()
	if err != nil {
		return err
	}
	occs, to, err := s.ops.Upcoming(e.ctx, from, *days)
	if err != nil {
		return fail("calendar upcoming", "", err)
	}
	out := make([]occurrenceJSON, len(occs))
	for i, o := range occs {
		out[i] = occurrenceJSON{Date: o.Date, Anniversary: o.Anniversary, EventID: o.Event.ID, Slug: o.Event.Slug,
			Title: o.Event.Title, Category: string(o.Event.Category), Years: o.Years, Round: o.Round,
			Advance: o.Advance, Lunar: o.Lunar, Notice: calendar.NoticeText(o)}
	}
	return show(e, asJSON, out, fmt.Sprintf("no notices from %s to %s", to.AddDays(1-*days).DMY(), to.DMY()),
		"DATE\tYEARS\tROUND\tLUNAR\tNOTICE", func(o occurrenceJSON) []any {
			lunar := "-"
			if o.Lunar != nil {
				lunar = o.Lunar.String()
			}
			return []any{o.Date.DMY(), dashIfZero(o.Years), orDash(o.Round), lunar, o.Notice}
		})
}

// weekdayNames are the Vietnamese names of the days of the week.
var weekdayNames = [7]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// calendarConvert converts between solar and lunar dates; it needs no database.
func (e env) calendarConvert(args []string) error {
	fs := newFlags("calendar convert")
	toSolar := fs.Bool("to-solar", false, "DATE is a lunar date: convert it to solar")
	leap := fs.Bool("leap", false, "with --to-solar: the lunar month is a leap month")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args, "DATE")
	if err != nil {
		return err
	}
	if *leap && !*toSolar {
		return usagef("calendar convert: --leap is for a lunar date, with --to-solar")
	}
	var c struct {
		Solar calendar.Date      `json:"solar"`
		Lunar calendar.LunarDate `json:"lunar"`
	}
	if c.Solar, c.Lunar, err = admin.ConvertDate(pos[0], *toSolar, *leap); err != nil {
		var fe *admin.FieldError
		if errors.As(err, &fe) {
			return usagef("calendar convert: %s", fe.ErrorAs("", ""))
		}
		return err
	}
	if *asJSON {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	solar := weekdayNames[c.Solar.Weekday()] + ", " + c.Solar.DMY() + " dương lịch"
	if *toSolar {
		_, err = fmt.Fprintf(e.stdout, "%s là %s\n", c.Lunar.LongString(), solar)
	} else {
		_, err = fmt.Fprintf(e.stdout, "%s là %s\n", solar, c.Lunar.LongString())
	}
	return err
}
