package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"loa/calendar"
	"loa/config"
	"loa/store"
)

// Defaults of the calendar commands.
const (
	// defaultCategory is for events admins add: the built-in list already has the
	// national and provincial days, so what is left is mostly the organisation's own.
	defaultCategory = calendar.Organisation
	defaultUpcoming = 30
	// maxUpcomingDays bounds calendar upcoming --days: ten years.
	maxUpcomingDays = 3660
	// icsYearsAhead is how many years after this one calendar export --format ics
	// covers by default (lunar days are written year by year).
	icsYearsAhead = 2
	// The years the lunar conversion is meant for (see the calendar package).
	minConvertYear = 1900
	maxConvertYear = 2199
)

func (e env) calendar(args []string) error {
	return dispatch("calendar", args,
		sub{"list", e.calendarList},
		sub{"add", e.calendarAdd},
		sub{"edit", e.calendarEdit},
		sub{"disable", func(a []string) error { return e.calendarEnable(a, false) }},
		sub{"enable", func(a []string) error { return e.calendarEnable(a, true) }},
		sub{"import", e.calendarImport},
		sub{"export", e.calendarExport},
		sub{"banner", e.calendarBanner},
		sub{"upcoming", e.calendarUpcoming},
		sub{"convert", e.calendarConvert},
	)
}

// openCalendar opens the store with the built-in events seeded, so that a fresh install
// lists them. Seeding adds only the built-in slugs not there yet: an admin's edits and
// disables stay.
func (e env) openCalendar() (*store.Store, config.Config, error) {
	st, cfg, err := e.openStore()
	if err != nil {
		return nil, cfg, err
	}
	builtin, err := calendar.Builtin()
	if err == nil {
		_, err = st.SeedBuiltinEvents(e.ctx, builtin)
	}
	if err != nil {
		st.Close()
		return nil, cfg, err
	}
	return st, cfg, nil
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
	fs := flag.NewFlagSet("calendar list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	all := fs.Bool("all", false, "include disabled events")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	st, _, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	events, err := st.Events(e.ctx, *all)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]eventJSON, len(events))
		for i, ev := range events {
			out[i] = eventJSON{ID: ev.ID, Slug: ev.Slug, Kind: string(ev.Kind), Day: ev.Day, Month: ev.Month,
				Leap: ev.Leap, Date: eventDate(ev), FoundedYear: ev.FoundedYear, Title: ev.Title,
				Category: string(ev.Category), AdvanceDays: ev.AdvanceDays, Enabled: ev.Enabled, Source: ev.Source}
		}
		return e.printJSON(out)
	}
	if len(events) == 0 {
		fmt.Fprintln(e.stdout, "no enabled events; see them all with: loa calendar list --all")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tDATE\tFOUNDED\tTITLE\tCATEGORY\tADVANCE\tENABLED\tSOURCE")
	for _, ev := range events {
		founded := "-"
		if ev.FoundedYear != 0 {
			founded = strconv.Itoa(ev.FoundedYear)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", ev.ID, ev.Slug, eventDate(ev), founded,
			clip(ev.Title, 60), ev.Category, ev.AdvanceDays, yesNo(ev.Enabled), orDash(clip(ev.Source, 40)))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// eventFlags are the flags of calendar add and edit.
type eventFlags struct {
	fs                                         *flag.FlagSet
	title, date, lunar, category, slug, source *string
	leap                                       *bool
	founded, advance                           *int
}

func newEventFlags(name string) *eventFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	return &eventFlags{
		fs:       fs,
		title:    fs.String("title", "", "the title, written to follow \"Kỷ niệm N năm \""),
		date:     fs.String("date", "", "solar day/month, or day/month/founding year"),
		lunar:    fs.String("lunar", "", "lunar day/month"),
		leap:     fs.Bool("leap", false, "the lunar month is a leap month"),
		founded:  fs.Int("founded", 0, "the founding year (0: anniversaries not counted)"),
		category: fs.String("category", string(defaultCategory), "national, province or organisation"),
		advance:  fs.Int("advance", calendar.DefaultAdvanceDays, "days before a round anniversary for the advance notice (0: none)"),
		slug:     fs.String("slug", "", "identifier, like thanh-lap-dang-bo (default: from the title)"),
		source:   fs.String("source", "", "the document the day comes from"),
	}
}

// set returns the names of the flags given on the command line.
func (f *eventFlags) set() map[string]bool {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return set
}

// apply changes ev by the flags that were given.
func (f *eventFlags) apply(ev *calendar.Event, set map[string]bool) error {
	cmd := f.fs.Name()
	switch {
	case set["date"] && set["lunar"]:
		return usagef("%s: give --date (solar) or --lunar, not both", cmd)
	case set["date"] && set["leap"]:
		return usagef("%s: --leap is for lunar dates (--lunar d/m --leap)", cmd)
	}
	if set["date"] {
		d, m, y, err := parseDayMonth(*f.date, true)
		if err != nil {
			return usagef("%s: --date %q: %v", cmd, *f.date, err)
		}
		ev.Kind, ev.Day, ev.Month, ev.Leap = calendar.Solar, d, m, false
		if y != 0 {
			if set["founded"] && *f.founded != y {
				return usagef("%s: --date %s says founded in %d, --founded says %d", cmd, *f.date, y, *f.founded)
			}
			ev.FoundedYear = y
		}
	}
	if set["lunar"] {
		d, m, _, err := parseDayMonth(*f.lunar, false)
		if err != nil {
			return usagef("%s: --lunar %q: %v", cmd, *f.lunar, err)
		}
		ev.Kind, ev.Day, ev.Month = calendar.Lunar, d, m
	}
	if set["lunar"] || set["leap"] {
		if ev.Kind != calendar.Lunar && *f.leap {
			return usagef("%s: --leap is for lunar dates (--lunar d/m --leap)", cmd)
		}
		ev.Leap = *f.leap
	}
	if set["founded"] {
		ev.FoundedYear = *f.founded
	}
	if set["title"] {
		ev.Title = strings.TrimSpace(*f.title)
	}
	if set["category"] {
		ev.Category = calendar.Category(strings.ToLower(strings.TrimSpace(*f.category)))
	}
	if set["advance"] {
		ev.AdvanceDays = *f.advance
	}
	if set["slug"] {
		ev.Slug = strings.TrimSpace(*f.slug)
	}
	if set["source"] {
		ev.Source = strings.TrimSpace(*f.source)
	}
	if err := ev.Validate(); err != nil {
		return usagef("%s: %v", cmd, err)
	}
	return nil
}

// parseDayMonth reads "d/m", or "d/m/yyyy" when withYear (the year is returned, 0 when
// not given). The day is checked against the month later, by calendar.Event.Validate.
func parseDayMonth(s string, withYear bool) (day, month, year int, err error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	want := "want day/month, like 17/7"
	if withYear {
		want = "want day/month or day/month/year, like 17/7 or 17/7/2019"
	}
	if len(parts) != 2 && !(withYear && len(parts) == 3) {
		return 0, 0, 0, errors.New(want)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || strings.HasPrefix(p, "+") {
			return 0, 0, 0, errors.New(want)
		}
		nums[i] = n
	}
	if len(nums) == 3 {
		if nums[2] < 1 || nums[2] > 9999 {
			return 0, 0, 0, fmt.Errorf("year %d outside 1–9999", nums[2])
		}
		year = nums[2]
	}
	return nums[0], nums[1], year, nil
}

// slugify makes a slug from a Vietnamese title: "thành lập Đảng bộ Khối" is
// "thanh-lap-dang-bo-khoi".
func slugify(title string) string {
	var sb strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // the diacritics
		case r == 'đ' || r == 'Đ':
			r = 'd'
		}
		r = unicode.ToLower(r)
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			sb.WriteRune(r)
			hyphen = false
			continue
		}
		if !hyphen && sb.Len() > 0 {
			sb.WriteByte('-')
			hyphen = true
		}
	}
	s := strings.TrimSuffix(sb.String(), "-")
	for len(s) > 64 {
		i := strings.LastIndexByte(s[:64], '-')
		if i <= 0 {
			s = s[:64]
			break
		}
		s = s[:i]
	}
	if s == "" {
		s = "su-kien"
	}
	return s
}

// calendarToday is the date now in the configured zone.
func calendarToday(cfg config.Config) calendar.Date {
	return calendar.DateIn(time.Now(), cfg.Location)
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

func (e env) printEvent(verb string, ev calendar.Event, from calendar.Date) {
	founded := ""
	if ev.FoundedYear != 0 {
		founded = fmt.Sprintf(", founded %d", ev.FoundedYear)
	}
	state := ""
	if !ev.Enabled {
		state = ", disabled"
	}
	fmt.Fprintf(e.stdout, "%s event %d: %s\n  %s (%s%s), %s%s\n", verb, ev.ID, ev.Slug, ev.Title,
		eventDate(ev), founded, ev.Category, state)
	if ev.Enabled {
		fmt.Fprintf(e.stdout, "  next notice: %s\n", nextNotice(ev, from))
	}
}

// eventError turns the store's refusals into what an admin can act on.
func eventError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w (see loa calendar list --all)", err)
	case errors.Is(err, store.ErrEventExists):
		return fmt.Errorf("%w; choose another with --slug (see loa calendar list --all)", err)
	}
	return err
}

func (e env) calendarAdd(args []string) error {
	f := newEventFlags("calendar add")
	pos, err := parseFlags(f.fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("calendar add", pos); err != nil {
		return err
	}
	set := f.set()
	if !set["title"] {
		return usagef("calendar add needs --title")
	}
	if !set["date"] && !set["lunar"] {
		return usagef("calendar add needs --date d/m (solar) or --lunar d/m")
	}
	ev := calendar.Event{Category: defaultCategory, AdvanceDays: calendar.DefaultAdvanceDays, Enabled: true}
	if !set["slug"] {
		ev.Slug = slugify(*f.title)
	}
	if err := f.apply(&ev, set); err != nil {
		return err
	}
	st, cfg, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err = st.AddEvent(e.ctx, ev)
	if err != nil {
		return fmt.Errorf("event not added: %w", eventError(err))
	}
	e.printEvent("added", ev, calendarToday(cfg))
	return nil
}

// parseEventID parses an event id argument.
func parseEventID(cmd, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not an event id (see loa calendar list --all)", cmd, s)
	}
	return id, nil
}

func (e env) calendarEdit(args []string) error {
	f := newEventFlags("calendar edit")
	pos, err := parseFlags(f.fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("calendar edit", pos, "ID"); err != nil {
		return err
	}
	id, err := parseEventID("calendar edit", pos[0])
	if err != nil {
		return err
	}
	set := f.set()
	if len(set) == 0 {
		return usagef("calendar edit: nothing to change; give --title, --date, --lunar, --leap, --founded, --category, --advance, --slug or --source")
	}
	st, cfg, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err := st.Event(e.ctx, id)
	if err != nil {
		return eventError(err)
	}
	if err := f.apply(&ev, set); err != nil {
		return err
	}
	ev, err = st.As(store.ActorOf(e.actor())).UpdateEvent(e.ctx, ev, "")
	if err != nil {
		return fmt.Errorf("event not changed: %w", eventError(err))
	}
	e.printEvent("changed", ev, calendarToday(cfg))
	return nil
}

func (e env) calendarEnable(args []string, enable bool) error {
	cmd := "calendar disable"
	if enable {
		cmd = "calendar enable"
	}
	pos, err := parseFlags(flag.NewFlagSet(cmd, flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if err := wantArgs(cmd, pos, "ID"); err != nil {
		return err
	}
	id, err := parseEventID(cmd, pos[0])
	if err != nil {
		return err
	}
	st, cfg, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err := st.SetEventEnabled(e.ctx, id, enable)
	if err != nil {
		return eventError(err)
	}
	verb := "disabled"
	if enable {
		verb = "enabled"
	}
	e.printEvent(verb, ev, calendarToday(cfg))
	return nil
}

func (e env) calendarImport(args []string) error {
	pos, err := parseFlags(flag.NewFlagSet("calendar import", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if err := wantArgs("calendar import", pos, "FILE.csv"); err != nil {
		return err
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	events, err := calendar.ReadCSV(file)
	if err != nil {
		return fmt.Errorf("nothing imported: %s: %w", pos[0], err)
	}
	st, _, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	added, updated, err := st.As(store.ActorOf(e.actor())).ImportEvents(e.ctx, events, pos[0])
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	fmt.Fprintf(e.stdout, "imported %d events from %s: %d added, %d updated\n", len(events), pos[0], added, updated)
	return nil
}

func (e env) calendarExport(args []string) error {
	fs := flag.NewFlagSet("calendar export", flag.ContinueOnError)
	format := fs.String("format", "csv", "csv (every event, for calendar import) or ics (iCalendar, enabled events)")
	fromYear := fs.Int("from-year", 0, "first year of an ics export (default: this year)")
	toYear := fs.Int("to-year", 0, fmt.Sprintf("last year of an ics export (default: %d years after --from-year)", icsYearsAhead))
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	var set []string
	fs.Visit(func(fl *flag.Flag) { set = append(set, fl.Name) })
	switch *format {
	case "csv":
		for _, name := range set {
			if name == "from-year" || name == "to-year" {
				return usagef("calendar export: --%s is for --format ics", name)
			}
		}
	case "ics":
	default:
		return usagef("calendar export: --format %q: want csv or ics", *format)
	}
	st, cfg, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	events, err := st.Events(e.ctx, true)
	if err != nil {
		return err
	}
	if *format == "csv" {
		return calendar.WriteCSV(e.stdout, events)
	}
	from, to := *fromYear, *toYear
	if from == 0 {
		from = calendarToday(cfg).Year
	}
	if to == 0 {
		to = from + icsYearsAhead
	}
	if from < 1 || to > 9998 || to < from {
		return usagef("calendar export: years %d–%d: want --from-year ≤ --to-year, within 1–9998", from, to)
	}
	return calendar.WriteICS(e.stdout, events, calendar.ICSOptions{
		FromYear: from, ToYear: to, Now: time.Now(), Name: "Ngày kỷ niệm", Domain: "loa",
	})
}

// dateFlag parses a --from or --to date.
func dateFlag(cmd, name, s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, usagef("%s: --%s %q: want a date such as 2024-06-05 or 5/6/2024", cmd, name, s)
	}
	return d, nil
}

func (e env) calendarBanner(args []string) error {
	fs := flag.NewFlagSet("calendar banner", flag.ContinueOnError)
	fromS := fs.String("from", "", "first day (2024-06-01 or 1/6/2024)")
	toS := fs.String("to", "", "last day")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *fromS == "" || *toS == "" {
		return usagef("calendar banner needs --from DATE and --to DATE")
	}
	from, err := dateFlag("calendar banner", "from", *fromS)
	if err != nil {
		return err
	}
	to, err := dateFlag("calendar banner", "to", *toS)
	if err != nil {
		return err
	}
	if to.Before(from) {
		return usagef("calendar banner: --to %s is before --from %s", to.DMY(), from.DMY())
	}
	st, _, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	events, err := st.Events(e.ctx, false)
	if err != nil {
		return err
	}
	banner := calendar.Banner(calendar.Occurrences(events, from, to))
	if banner == "" {
		fmt.Fprintf(e.stderr, "loa: no anniversaries between %s and %s\n", from.DMY(), to.DMY())
		return nil
	}
	fmt.Fprintln(e.stdout, banner)
	return nil
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
	fs := flag.NewFlagSet("calendar upcoming", flag.ContinueOnError)
	fromS := fs.String("from", "", "first day (default: today in LOA_TIMEZONE)")
	days := fs.Int("days", defaultUpcoming, "how many days")
	asJSON := fs.Bool("json", false, "print JSON")
	_, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *days < 1 || *days > maxUpcomingDays {
		return usagef("calendar upcoming: --days %d: want 1 to %d", *days, maxUpcomingDays)
	}
	var from calendar.Date
	if *fromS != "" {
		if from, err = dateFlag("calendar upcoming", "from", *fromS); err != nil {
			return err
		}
	}
	st, cfg, err := e.openCalendar()
	if err != nil {
		return err
	}
	defer st.Close()
	if *fromS == "" {
		from = calendarToday(cfg)
	}
	to := from.AddDays(*days - 1)
	events, err := st.Events(e.ctx, false)
	if err != nil {
		return err
	}
	occs := calendar.Occurrences(events, from, to)
	if *asJSON {
		out := make([]occurrenceJSON, len(occs))
		for i, o := range occs {
			out[i] = occurrenceJSON{Date: o.Date, Anniversary: o.Anniversary, EventID: o.Event.ID, Slug: o.Event.Slug,
				Title: o.Event.Title, Category: string(o.Event.Category), Years: o.Years, Round: o.Round,
				Advance: o.Advance, Lunar: o.Lunar, Notice: calendar.NoticeText(o)}
		}
		return e.printJSON(out)
	}
	if len(occs) == 0 {
		fmt.Fprintf(e.stdout, "no notices from %s to %s\n", from.DMY(), to.DMY())
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tYEARS\tROUND\tLUNAR\tNOTICE")
	for _, o := range occs {
		years, lunar := "-", "-"
		if o.Years > 0 {
			years = strconv.Itoa(o.Years)
		}
		if o.Lunar != nil {
			lunar = o.Lunar.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Date.DMY(), years, orDash(o.Round), lunar, calendar.NoticeText(o))
	}
	return tw.Flush()
}

// conversionJSON is what `calendar convert --json` prints, in both directions.
type conversionJSON struct {
	Solar calendar.Date      `json:"solar"`
	Lunar calendar.LunarDate `json:"lunar"`
}

// weekdayNames are the Vietnamese names of the days of the week.
var weekdayNames = [7]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// calendarConvert converts between solar and lunar dates; it needs no database.
func (e env) calendarConvert(args []string) error {
	fs := flag.NewFlagSet("calendar convert", flag.ContinueOnError)
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
	var c conversionJSON
	if *toSolar {
		l, err := parseLunarDate(pos[0])
		if err != nil {
			return err
		}
		l.Leap = *leap
		d, err := calendar.LunarToSolar(l)
		if err != nil {
			return usagef("calendar convert: %s: %v", pos[0], err)
		}
		c = conversionJSON{Solar: d, Lunar: l}
	} else {
		d, err := calendar.ParseDate(pos[0])
		if err != nil {
			return usagef("calendar convert: %v; want a date such as 2025-08-10 or 10/8/2025", err)
		}
		if d.Year < minConvertYear || d.Year > maxConvertYear {
			return usagef("calendar convert: year %d: the lunar calendar is computed for %d–%d", d.Year, minConvertYear, maxConvertYear)
		}
		c = conversionJSON{Solar: d, Lunar: d.Lunar()}
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
		fmt.Fprintf(e.stdout, "%s là %s\n", c.Lunar.LongString(), solar)
	} else {
		fmt.Fprintf(e.stdout, "%s là %s\n", solar, c.Lunar.LongString())
	}
	return nil
}

// parseLunarDate reads a lunar date written d/m/yyyy (or yyyy-mm-dd); whether it
// exists is for calendar.LunarToSolar to say.
func parseLunarDate(s string) (calendar.LunarDate, error) {
	bad := usagef("calendar convert: lunar date %q: want day/month/year, such as 17/6/2025", s)
	in := strings.TrimSpace(s)
	var parts []string
	switch {
	case strings.Count(in, "/") == 2:
		parts = strings.Split(in, "/")
	case strings.Count(in, "-") == 2:
		p := strings.Split(in, "-")
		parts = []string{p[2], p[1], p[0]}
	default:
		return calendar.LunarDate{}, bad
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || strings.HasPrefix(p, "+") {
			return calendar.LunarDate{}, bad
		}
		n[i] = v
	}
	l := calendar.LunarDate{Day: n[0], Month: n[1], Year: n[2]}
	if l.Year < minConvertYear || l.Year > maxConvertYear {
		return calendar.LunarDate{}, usagef("calendar convert: year %d: the lunar calendar is computed for %d–%d", l.Year, minConvertYear, maxConvertYear)
	}
	return l, nil
}
