package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/admin"
	"loa/calendar"
)

// Lịch kỷ niệm: the month view, the banner, exports (the edits are in events.go).

// dayCell is one day of the month view.
type dayCell struct {
	Date       calendar.Date
	Lunar      calendar.LunarDate
	InMonth    bool
	Today      bool
	Events     []calendar.Occurrence
	FirstLunar bool
}

type monthData struct {
	Title      string
	Prev, Next string
	Weeks      [][]dayCell
	Events     []calendar.Event
	// Banner is the greeting of the range asked for, with its range.
	BannerFrom, BannerTo string
	Banner               string
	BannerError          string
	// Convert is the date converter (as loa calendar convert): the form as typed, and
	// its answer.
	Convert    form
	Conversion string
	// Upcoming is the notices of the coming days (as loa calendar upcoming): the form,
	// the notices and the last day.
	Upcoming      form
	Notices       []calendar.Occurrence
	UpcomingUntil calendar.Date
	// Form is the add or edit form, with what was typed and its errors.
	Form    form
	Editing int64
	Today   calendar.Date
	// Export is the iCalendar export's year range: by default this year and
	// admin.ICSYearsAhead after it; a refused range as typed, with its error.
	Export form
}

var weekdayHeads = []string{"T2", "T3", "T4", "T5", "T6", "T7", "CN"}

// monthParam reads ?thang=2026-12; the current month otherwise.
func monthParam(r *http.Request, today calendar.Date) (int, time.Month) {
	if t, err := time.Parse("2006-01", r.URL.Query().Get("thang")); err == nil && t.Year() >= 1900 && t.Year() <= 2199 {
		return t.Year(), t.Month()
	}
	return today.Year, today.Month
}

func (c *Console) calendarMonth(w http.ResponseWriter, r *http.Request) {
	c.renderMonth(w, r, form{}, 0)
}

// renderMonth shows the month view with the event form (f as typed, editing id when
// not 0).
func (c *Console) renderMonth(w http.ResponseWriter, r *http.Request, f form, editing int64) {
	c.month(w, r, http.StatusOK, monthData{Form: f, Editing: editing})
}

// month shows the month view with the forms d holds (the event form, a refused
// export), answering with status.
func (c *Console) month(w http.ResponseWriter, r *http.Request, status int, d monthData) {
	today := calendar.DateIn(c.now(), c.loc())
	year, month := monthParam(r, today)
	first := calendar.Date{Year: year, Month: month, Day: 1}
	// The grid starts on the Monday on or before the first.
	start := first.AddDays(-((int(first.Weekday()) + 6) % 7))
	end := start.AddDays(41)
	all, err := c.Store.Events(r.Context(), true)
	if err != nil {
		c.failed(w, r, "events", err)
		return
	}
	var enabled []calendar.Event
	for _, e := range all {
		if e.Enabled {
			enabled = append(enabled, e)
		}
	}
	byDay := map[calendar.Date][]calendar.Occurrence{}
	for _, o := range calendar.Occurrences(enabled, start, end) {
		if !o.Advance {
			byDay[o.Date] = append(byDay[o.Date], o)
		}
	}
	d.Title, d.Events, d.Today = fmt.Sprintf("Tháng %d năm %d", month, year), all, today
	if d.Export.Values == nil {
		d.Export.Values = map[string]string{string(admin.FieldFromYear): strconv.Itoa(today.Year),
			string(admin.FieldToYear): strconv.Itoa(today.Year + admin.ICSYearsAhead)}
	}
	prev, next := first.AddDays(-1), first.AddDays(32)
	d.Prev = fmt.Sprintf("%04d-%02d", prev.Year, prev.Month)
	d.Next = fmt.Sprintf("%04d-%02d", next.Year, next.Month)
	for wk := 0; wk < 6; wk++ {
		var week []dayCell
		for i := 0; i < 7; i++ {
			day := start.AddDays(wk*7 + i)
			l := day.Lunar()
			week = append(week, dayCell{Date: day, Lunar: l, InMonth: day.Month == month, Today: day == today,
				Events: byDay[day], FirstLunar: l.Day == 1})
		}
		if wk == 5 && week[0].Date.Month != month {
			break // a month that fits in five weeks
		}
		d.Weeks = append(d.Weeks, week)
	}
	if !c.calendarTools(w, r, &d) {
		return
	}
	c.pageStatus(w, r, status, "calendar", "calendar", d)
}

// calendarTools answers the page's three questions, each from its GET form: the
// portal's banner for a period, a solar↔lunar conversion, the notices of the coming
// days (by default the next admin.DefaultUpcomingDays). Refusals are admin's wording,
// next to the form; false when the page cannot be shown (the database).
func (c *Console) calendarTools(w http.ResponseWriter, r *http.Request, d *monthData) bool {
	q := r.URL.Query()
	ctx := r.Context()
	d.BannerFrom, d.BannerTo = q.Get("tu"), q.Get("den")
	if d.BannerFrom != "" || d.BannerTo != "" {
		from, err := admin.ParseDate(d.BannerFrom, admin.FieldFrom)
		var to calendar.Date
		if err == nil {
			to, err = admin.ParseDate(d.BannerTo, admin.FieldTo)
		}
		if err == nil {
			d.Banner, err = c.Ops.Banner(ctx, from, to)
		}
		var f form
		switch {
		case c.refused(w, r, &f, err):
			d.BannerError = f.Message()
		case err != nil:
			c.failed(w, r, "banner", err)
			return false
		case d.Banner == "":
			d.BannerError = "Không có ngày kỷ niệm nào có số năm trong khoảng này."
		}
	}

	d.Convert = form{Values: map[string]string{"ngay": q.Get("doi-ngay"), "chieu": q.Get("chieu"), "nhuan": q.Get("nhuan")},
		Errors: map[string]string{}}
	if s := strings.TrimSpace(d.Convert.V("ngay")); s != "" {
		toSolar := d.Convert.V("chieu") == "am"
		solar, lunar, err := admin.ConvertDate(s, toSolar, d.Convert.V("nhuan") != "")
		if c.refused(w, r, &d.Convert, err) {
			d.Convert.Errors["ngay"] = d.Convert.Message()
		} else if err == nil {
			d.Conversion = admin.ConversionText(solar, lunar, toSolar)
		}
	}

	d.Upcoming = form{Values: map[string]string{"from": q.Get("sap-toi-tu"), "days": q.Get("so-ngay")}, Errors: map[string]string{}}
	if d.Upcoming.V("days") == "" {
		d.Upcoming.Values["days"] = strconv.Itoa(admin.DefaultUpcomingDays)
	}
	var from calendar.Date // today
	var err error
	if s := strings.TrimSpace(d.Upcoming.V("from")); s != "" {
		from, err = admin.ParseDate(s, admin.FieldFrom)
	}
	s := strings.TrimSpace(d.Upcoming.V("days"))
	days, convErr := strconv.Atoi(s)
	if convErr != nil && err == nil {
		err = &admin.FieldError{Field: admin.FieldDays, Code: admin.CodeInvalid, Value: s}
	}
	if err == nil {
		d.Notices, d.UpcomingUntil, err = c.Ops.Upcoming(ctx, from, days)
	}
	if !c.refused(w, r, &d.Upcoming, err) && err != nil {
		c.failed(w, r, "upcoming notices", err)
		return false
	}
	return true
}

// calendarExport answers with the calendar as admin.ExportEvents writes it for `loa
// calendar export`: CSV (every event, for import) or iCalendar (the enabled events of
// ?tu-nam to ?den-nam; by default this year and admin.ICSYearsAhead after it).
func (c *Console) calendarExport(format, contentType, file string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The form's fields are named as admin names them, so a refusal lands beside
		// the year at fault.
		fields := []admin.Field{admin.FieldFromYear, admin.FieldToYear}
		f := form{Values: map[string]string{}, Errors: map[string]string{}}
		var years [2]int
		var err error
		for i, k := range []string{"tu-nam", "den-nam"} {
			s := strings.TrimSpace(r.URL.Query().Get(k))
			f.Values[string(fields[i])] = s
			if s != "" && err == nil {
				// 0 is admin's "not given": typed, it is no year either.
				if years[i], err = strconv.Atoi(s); err != nil || years[i] == 0 {
					err = &admin.FieldError{Field: fields[i], Code: admin.CodeInvalid, Value: s}
				}
			}
		}
		var buf bytes.Buffer
		if err == nil {
			err = c.Ops.ExportEvents(r.Context(), &buf, format, years[0], years[1])
		}
		if c.answered(w, r, &f, err, "export events", func() { c.month(w, r, http.StatusBadRequest, monthData{Export: f}) }) {
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
		_, _ = buf.WriteTo(w)
	}
}
