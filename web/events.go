package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"loa/admin"
	"loa/calendar"
)

// The calendar's edits: add, edit, disable and enable events, import a CSV file.

var eventFields = []string{"title", "kind", "date", "lunar", "leap", "founded", "category", "advance", "slug", "source", "version"}

// categoryNames name the categories of events.
var categoryNames = []option{
	{string(calendar.Organisation), "Của cơ quan, tổ chức"},
	{string(calendar.Province), "Của tỉnh"},
	{string(calendar.National), "Cả nước"},
}

// eventChangeOf reads the event form. Numbers that are not numbers are refused here,
// next to their field; the rest is the admin layer's to check.
func eventChangeOf(f *form) (admin.EventChange, bool) {
	var ch admin.EventChange
	title, cat, src := f.V("title"), f.V("category"), f.V("source")
	ch.Title, ch.Category, ch.Source = &title, &cat, &src
	if s := strings.TrimSpace(f.V("slug")); s != "" {
		ch.Slug = &s
	}
	if f.V("kind") == string(calendar.Lunar) {
		l, leap := strings.TrimSpace(f.V("lunar")), f.V("leap") != ""
		ch.Lunar, ch.Leap = &l, &leap
	} else {
		d := strings.TrimSpace(f.V("date"))
		ch.Date = &d
	}
	ok := true
	number := func(name string, dst **int) {
		s := strings.TrimSpace(f.V(name))
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Errors[name] = "Vui lòng nhập một số."
			ok = false
			return
		}
		*dst = &n
	}
	number("founded", &ch.Founded)
	number("advance", &ch.Advance)
	if ch.Founded == nil {
		zero := 0
		ch.Founded = &zero
	}
	return ch, ok
}

func (c *Console) addEvent(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, eventFields...)
	ch, ok := eventChangeOf(&f)
	if !ok {
		c.renderMonth(w, r, f, 0)
		return
	}
	ev, err := c.Ops.AddEvent(r.Context(), sessionOf(r).actor(), ch)
	if c.answered(w, r, &f, err, "add event", func() {
		c.renderMonth(w, r, f, 0)
	}) {
		return
	}
	seeOther(w, r, fmt.Sprintf("/lich?thang=%s#su-kien-%d", c.nextMonthOf(ev), ev.ID), "saved")
}

// nextMonthOf is the month of the event's next occurrence, to show it after a save.
func (c *Console) nextMonthOf(ev calendar.Event) string {
	d := calendar.DateIn(c.now(), c.loc())
	if o, ok := admin.NextNotice(ev, d); ok {
		d = o.Date
	}
	return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
}

// formOfEvent fills the form with a stored event.
func formOfEvent(ev calendar.Event) form {
	v := map[string]string{"title": ev.Title, "kind": string(ev.Kind), "category": string(ev.Category),
		"advance": strconv.Itoa(ev.AdvanceDays), "slug": ev.Slug, "source": ev.Source, "version": strconv.Itoa(ev.Version)}
	if ev.FoundedYear != 0 {
		v["founded"] = strconv.Itoa(ev.FoundedYear)
	}
	dm := fmt.Sprintf("%d/%d", ev.Day, ev.Month)
	if ev.Kind == calendar.Lunar {
		v["lunar"] = dm
		if ev.Leap {
			v["leap"] = "1"
		}
	} else {
		v["date"] = dm
	}
	return form{Values: v, Errors: map[string]string{}}
}

func (c *Console) editEventPage(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "sự kiện")
	if !ok {
		return
	}
	ev, err := c.Store.Event(r.Context(), id)
	if !c.found(w, r, "sự kiện", "event", err) {
		return
	}
	c.renderMonth(w, r, formOfEvent(ev), id)
}

func (c *Console) editEvent(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "sự kiện")
	if !ok {
		return
	}
	f := formFrom(r, eventFields...)
	ch, ok := eventChangeOf(&f)
	if !ok {
		c.renderMonth(w, r, f, id)
		return
	}
	version, err := strconv.Atoi(f.V("version"))
	if err != nil || version <= 0 {
		version = -1 // a form without the version it was made from is never "current"
	}
	ev, err := c.Ops.EditEvent(r.Context(), sessionOf(r).actor(), id, version, ch)
	if c.answered(w, r, &f, err, "edit event", func() {
		c.renderMonth(w, r, f, id)
	}) {
		return
	}
	seeOther(w, r, fmt.Sprintf("/lich?thang=%s#su-kien-%d", c.nextMonthOf(ev), ev.ID), "saved")
}

func (c *Console) enableEvent(enabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := c.pathID(w, r, "sự kiện")
		if !ok {
			return
		}
		_, err := c.Ops.EnableEvent(r.Context(), sessionOf(r).actor(), id, enabled)
		var f form
		if c.answered(w, r, &f, err, "enable event", func() {
			c.renderMonth(w, r, f, 0)
		}) {
			return
		}
		ok2 := "disabled"
		if enabled {
			ok2 = "enabled"
		}
		seeOther(w, r, fmt.Sprintf("/lich#su-kien-%d", id), ok2)
	}
}

// importEvents: a CSV file of events, all or nothing (the layer names the line at
// fault).
func (c *Console) importEvents(w http.ResponseWriter, r *http.Request) {
	f := form{Values: map[string]string{}, Errors: map[string]string{}}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.Errors["file"] = "Vui lòng chọn một tệp CSV."
		c.renderMonth(w, r, f, 0)
		return
	}
	defer file.Close()
	_, added, updated, err := c.Ops.ImportEvents(r.Context(), sessionOf(r).actor(), file, hdr.Filename)
	if c.answered(w, r, &f, err, "import events", func() {
		if msg := f.Errors[string(admin.FieldFile)]; msg != "" {
			f.Errors["file"] = msg
		}
		c.renderMonth(w, r, f, 0)
	}) {
		return
	}
	c.log().Info("web: events imported", "added", added, "updated", updated)
	seeOther(w, r, "/lich", "imported")
}
