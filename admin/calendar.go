package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"loa/calendar"
	"loa/store"
)

// Defaults of events admins add.
const (
	// DefaultCategory: the built-in list already has the national and provincial days,
	// so what admins add is mostly the organisation's own.
	DefaultCategory = calendar.Organisation
)

// EventChange is what an admin gives to add or edit a calendar event: the fields to set
// (nil: left as they are, or the default when adding).
type EventChange struct {
	Title *string
	// Date is a solar day "d/m", or "d/m/yyyy" with the founding year.
	Date *string
	// Lunar is a lunar day "d/m"; Leap says the month is a leap month.
	Lunar *string
	Leap  *bool
	// Founded is the founding year (0: anniversaries not counted).
	Founded *int
	// Category is national, province or organisation.
	Category *string
	// Advance is the days before a round anniversary of the advance notice (0: none).
	Advance *int
	// Slug identifies the event (default when adding: from the title, calendar.Slug).
	Slug   *string
	Source *string
}

// Fields names the fields the change sets.
func (c EventChange) Fields() []Field {
	var fs []Field
	for _, x := range []struct {
		set bool
		f   Field
	}{{c.Title != nil, FieldTitle}, {c.Date != nil, FieldDate}, {c.Lunar != nil, FieldLunar}, {c.Leap != nil, FieldLeap},
		{c.Founded != nil, FieldFounded}, {c.Category != nil, FieldCategory}, {c.Advance != nil, FieldAdvance},
		{c.Slug != nil, FieldSlug}, {c.Source != nil, FieldSource}} {
		if x.set {
			fs = append(fs, x.f)
		}
	}
	return fs
}

// Apply changes ev as c says and checks the result (calendar.Event.Validate), naming the
// field at fault.
func (c EventChange) Apply(ev *calendar.Event) error {
	switch {
	case c.Date != nil && c.Lunar != nil:
		return &FieldError{Field: FieldLunar, Code: CodeConflicting, Other: FieldDate}
	case c.Date != nil && c.Leap != nil:
		return &FieldError{Field: FieldLeap, Code: CodeConflicting, Other: FieldDate, Reason: "is for lunar dates"}
	}
	if c.Date != nil {
		d, m, y, err := ParseDayMonth(*c.Date, true)
		if err != nil {
			return fieldErr(FieldDate, CodeInvalid, *c.Date, err.Error())
		}
		ev.Kind, ev.Day, ev.Month, ev.Leap = calendar.Solar, d, m, false
		if y != 0 {
			if c.Founded != nil && *c.Founded != y {
				return &FieldError{Field: FieldFounded, Code: CodeConflicting, Other: FieldDate,
					Reason: fmt.Sprintf("says %d, the date says founded in %d", *c.Founded, y)}
			}
			ev.FoundedYear = y
		}
	}
	if c.Lunar != nil {
		d, m, _, err := ParseDayMonth(*c.Lunar, false)
		if err != nil {
			return fieldErr(FieldLunar, CodeInvalid, *c.Lunar, err.Error())
		}
		ev.Kind, ev.Day, ev.Month = calendar.Lunar, d, m
	}
	if c.Lunar != nil || c.Leap != nil {
		leap := c.Leap != nil && *c.Leap
		if ev.Kind != calendar.Lunar && leap {
			return &FieldError{Field: FieldLeap, Code: CodeConflicting, Other: FieldDate, Reason: "is for lunar dates"}
		}
		ev.Leap = leap
	}
	if c.Founded != nil {
		ev.FoundedYear = *c.Founded
	}
	if c.Title != nil {
		ev.Title = strings.TrimSpace(*c.Title)
	}
	if c.Category != nil {
		ev.Category = calendar.Category(strings.ToLower(strings.TrimSpace(*c.Category)))
	}
	if c.Advance != nil {
		ev.AdvanceDays = *c.Advance
	}
	if c.Slug != nil {
		ev.Slug = strings.TrimSpace(*c.Slug)
	}
	if c.Source != nil {
		ev.Source = strings.TrimSpace(*c.Source)
	}
	return checkEvent(*ev)
}

// checkEvent is calendar.Event.Validate with the field at fault named: each field is
// tried alone on an event known to be valid, so the rules stay calendar's.
func checkEvent(ev calendar.Event) error {
	err := ev.Validate()
	if err == nil {
		return nil
	}
	dateField := FieldDate
	if ev.Kind == calendar.Lunar {
		dateField = FieldLunar
	}
	for _, p := range []struct {
		f   Field
		set func(*calendar.Event)
	}{
		{FieldTitle, func(x *calendar.Event) { x.Title = ev.Title }},
		{dateField, func(x *calendar.Event) { x.Kind, x.Day, x.Month, x.Leap = ev.Kind, ev.Day, ev.Month, ev.Leap }},
		{FieldFounded, func(x *calendar.Event) { x.FoundedYear = ev.FoundedYear }},
		{FieldCategory, func(x *calendar.Event) { x.Category = ev.Category }},
		{FieldAdvance, func(x *calendar.Event) { x.AdvanceDays = ev.AdvanceDays }},
		{FieldSlug, func(x *calendar.Event) { x.Slug = ev.Slug }},
		{FieldSource, func(x *calendar.Event) { x.Source = ev.Source }},
	} {
		probe := calendar.Event{Slug: "x", Title: "x", Kind: calendar.Solar, Day: 1, Month: 1, Category: calendar.National}
		p.set(&probe)
		if perr := probe.Validate(); perr != nil {
			reason := strings.TrimPrefix(perr.Error(), calendar.ErrInvalidEvent.Error()+": ")
			code := CodeInvalid
			if p.f == FieldTitle && ev.Title == "" {
				code = CodeRequired
			}
			return &FieldError{Field: p.f, Code: code, Reason: reason}
		}
	}
	return fieldErr(FieldTitle, CodeInvalid, "", err.Error()) // not reached: every field is probed
}

// ParseDayMonth reads "d/m", or "d/m/yyyy" when withYear (the year is returned, 0 when
// not given). Whether the day exists in the month is for calendar.Event.Validate.
func ParseDayMonth(s string, withYear bool) (day, month, year int, err error) {
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

// The years the lunar conversion is meant for (see the calendar package).
const (
	MinLunarYear = 1900
	MaxLunarYear = 2199
)

// ParseLunarDate reads a lunar date written d/m/yyyy (or yyyy-mm-dd) within
// MinLunarYear–MaxLunarYear; whether it exists is for calendar.LunarToSolar to say.
func ParseLunarDate(s string) (calendar.LunarDate, error) {
	bad := fieldErr(FieldLunar, CodeInvalid, s, "want day/month/year, such as 17/6/2025")
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
	if l.Year < MinLunarYear || l.Year > MaxLunarYear {
		return calendar.LunarDate{}, fieldErr(FieldLunar, CodeOutOfRange, s,
			fmt.Sprintf("year %d: the lunar calendar is computed for %d–%d", l.Year, MinLunarYear, MaxLunarYear))
	}
	return l, nil
}

// AddEvent adds an admin's event: Title and a Date or Lunar day are required; the rest
// default (category DefaultCategory, calendar.DefaultAdvanceDays, the slug from the
// title).
func (o *Ops) AddEvent(ctx context.Context, a Actor, c EventChange) (calendar.Event, error) {
	if c.Title == nil || strings.TrimSpace(*c.Title) == "" {
		return calendar.Event{}, &FieldError{Field: FieldTitle, Code: CodeRequired}
	}
	if c.Date == nil && c.Lunar == nil {
		return calendar.Event{}, &FieldError{Field: FieldDate, Code: CodeRequired}
	}
	ev := calendar.Event{Category: DefaultCategory, AdvanceDays: calendar.DefaultAdvanceDays, Enabled: true}
	if c.Slug == nil {
		ev.Slug = calendar.Slug(*c.Title)
	}
	if err := c.Apply(&ev); err != nil {
		return calendar.Event{}, err
	}
	out, err := o.as(a).AddEvent(ctx, ev)
	return out, eventErr(ev, err)
}

// EditEvent changes what c sets of an event, from the version the admin saw (0: the
// current one). Enabling and disabling are EnableEvent.
func (o *Ops) EditEvent(ctx context.Context, a Actor, id int64, version int, c EventChange) (calendar.Event, error) {
	ev, version, err := editableEvent.from(ctx, o, id, version)
	if err != nil {
		return calendar.Event{}, err
	}
	before := ev
	if err := c.Apply(&ev); err != nil {
		return calendar.Event{}, err
	}
	out, err := o.as(a).UpdateEvent(ctx, ev, editDetail(version+1, eventChanges(before, ev)))
	if ce := editableEvent.staleConflict(ctx, o, id, version, err); ce != nil {
		return calendar.Event{}, ce
	}
	return out, eventErr(ev, err)
}

// editableEvent: events are edited from the version the admin saw.
var editableEvent = editable[calendar.Event]{ObjEvent, (*store.Store).Event, func(ev calendar.Event) int { return ev.Version }}

// eventChanges names the fields that differ between two versions of an event.
func eventChanges(a, b calendar.Event) []Field {
	var fs []Field
	add := func(differ bool, f Field) {
		if differ {
			fs = append(fs, f)
		}
	}
	add(a.Title != b.Title, FieldTitle)
	add(a.Kind != b.Kind || a.Day != b.Day || a.Month != b.Month || a.Leap != b.Leap, FieldDate)
	add(a.FoundedYear != b.FoundedYear, FieldFounded)
	add(a.Category != b.Category, FieldCategory)
	add(a.AdvanceDays != b.AdvanceDays, FieldAdvance)
	add(a.Slug != b.Slug, FieldSlug)
	add(a.Source != b.Source, FieldSource)
	return fs
}

// eventErr turns the store's refusals of an event into field errors.
func eventErr(ev calendar.Event, err error) error {
	switch {
	case errors.Is(err, store.ErrEventExists):
		return &FieldError{Field: FieldSlug, Code: CodeTaken, Value: ev.Slug}
	case errors.Is(err, store.ErrBuiltinSlug):
		return &FieldError{Field: FieldSlug, Code: CodeBuiltin, Value: ev.Slug}
	}
	return objectErr(ObjEvent, ev.ID, err)
}

// EnableEvent enables or disables an event's notices.
func (o *Ops) EnableEvent(ctx context.Context, a Actor, id int64, enabled bool) (calendar.Event, error) {
	ev, err := o.as(a).EnableEvent(ctx, id, enabled)
	return ev, objectErr(ObjEvent, id, err)
}

// ImportEvents adds or updates the events of a CSV file (calendar.ReadCSV, which checks
// every row and names the line at fault: a *FieldError for FieldFile), all or nothing;
// name names the file in errors and the audit log. It returns how many were
// read, added and updated.
func (o *Ops) ImportEvents(ctx context.Context, a Actor, r io.Reader, name string) (read, added, updated int, err error) {
	events, err := calendar.ReadCSV(r)
	if err != nil {
		return 0, 0, 0, fieldErr(FieldFile, CodeInvalid, name, err.Error())
	}
	added, updated, err = o.as(a).ImportEvents(ctx, events, name)
	return len(events), added, updated, err
}
