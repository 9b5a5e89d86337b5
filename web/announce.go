package web

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/admin"
	"loa/bot/telegram"
	"loa/bot/zalo"
	"loa/broadcast"
	"loa/calendar"
	"loa/chat"
	"loa/scheduler"
	"loa/store"
)

// Thông báo: write an announcement, preview it as Telegram and Zalo will show it, test
// it on yourself, choose its audience and time, confirm (with the audience's size),
// then follow its runs; edit, cancel.

// announcementFields are the form's inputs; those named as admin.Field get the layer's
// errors next to them.
var announcementFields = []string{"text", "topic", "channel", "when", "at_date", "at_time", "repeat", "day", "month",
	"time", "event", "cron", "version", "audience"}

// hiddenInput is an input the page carries without showing it.
type hiddenInput struct{ Name, Value string }

// Carried are the inputs the confirmation step carries, hidden, to its post: those of
// announcementFields as typed, but the version, which both steps carry (the checked
// weekdays are carried from Days).
func (d announceForm) Carried() []hiddenInput {
	var in []hiddenInput
	for _, name := range announcementFields {
		if name != "version" {
			in = append(in, hiddenInput{name, d.Form.V(name)})
		}
	}
	return in
}

// Preview is an announcement as members will read it.
type Preview struct {
	// Telegram is the HTML Telegram shows (<b>, <i>, <a href>), from the Telegram
	// adapter's renderer: every piece of text is escaped by it.
	Telegram []template.HTML
	// Zalo is the plain text Zalo shows, from the Zalo adapter's renderer.
	Zalo []string
}

// preview renders text with the engine's renderers.
func preview(text string) Preview {
	content := broadcast.Content{Kind: store.KindAnnouncement, Summary: text}
	var p Preview
	for _, part := range telegram.Render(content) {
		p.Telegram = append(p.Telegram, template.HTML(part)) // escaped by the renderer
	}
	p.Zalo = zalo.Render(content)
	return p
}

// announceForm is the page of the form, or of its confirmation step.
type announceForm struct {
	Form    form
	ID      int64 // editing an announcement; 0 for a new one
	Preview Preview
	Topics  []option
	Events  []calendar.Event
	Months  []int
	Days    []weekdayOption
	// Confirm: the announcement was checked; the page asks for the confirmation.
	Confirm bool
	Plan    admin.Plan
	// AudienceChanged is set when the size shown before has changed since.
	AudienceChanged int
	Tested          bool
	Channels        []chat.Channel
}

type weekdayOption struct {
	Value   int
	Label   string
	Checked bool
}

var weekdayLabels = []struct {
	d     time.Weekday
	label string
}{{time.Monday, "Thứ Hai"}, {time.Tuesday, "Thứ Ba"}, {time.Wednesday, "Thứ Tư"}, {time.Thursday, "Thứ Năm"},
	{time.Friday, "Thứ Sáu"}, {time.Saturday, "Thứ Bảy"}, {time.Sunday, "Chủ nhật"}}

func (c *Console) newAnnouncement(w http.ResponseWriter, r *http.Request) {
	f := form{Values: map[string]string{"when": "now", "time": admin.DefaultEventTime, "repeat": string(admin.Daily)}, Errors: map[string]string{}}
	if ev := r.URL.Query().Get("su-kien"); ev != "" {
		// "Schedule a yearly greeting" from the calendar.
		f.Values["when"], f.Values["event"] = "event", ev
		f.Values["text"] = "Nhân dịp kỷ niệm {years} năm {date}, …"
	}
	c.renderAnnounceForm(w, r, announceForm{Form: f}, nil)
}

func (c *Console) editAnnouncement(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "thông báo")
	if !ok {
		return
	}
	a, err := c.Store.Announcement(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && a.Status != store.AnnouncementScheduled {
		c.render(w, r, http.StatusNotFound, "message", message{Title: "Không sửa được",
			Text: "Chỉ sửa được thông báo đang chờ gửi (chưa gửi xong, chưa huỷ).", Back: "/thong-bao"})
		return
	}
	if err != nil {
		c.failed(w, r, "announcement", err)
		return
	}
	c.renderAnnounceForm(w, r, announceForm{Form: c.formOf(a), ID: id}, nil)
}

// formOf fills the form with a stored announcement.
func (c *Console) formOf(a store.Announcement) form {
	v := map[string]string{"text": a.Body, "topic": a.Topic, "channel": string(a.Channel), "version": strconv.Itoa(a.Version),
		"time": admin.DefaultEventTime, "repeat": string(admin.Daily)}
	switch a.Schedule {
	case store.ScheduleOnce:
		v["when"] = "at"
		if a.NextRunAt != nil {
			t := a.NextRunAt.In(c.loc())
			v["at_date"], v["at_time"] = t.Format("2006-01-02"), t.Format("15:04")
		}
	case store.ScheduleEvent:
		v["when"] = "event"
		if a.EventID != nil {
			v["event"] = strconv.FormatInt(*a.EventID, 10)
		}
		v["time"] = a.EventTime
	case store.ScheduleCron:
		if rp, ok := repeatOf(a.Cron); ok {
			v["when"], v["repeat"], v["time"] = "repeat", string(rp.Every), rp.Time
			v["day"], v["month"] = strconv.Itoa(rp.Day), strconv.Itoa(int(rp.Month))
			var ds []string
			for _, d := range rp.Weekdays {
				ds = append(ds, strconv.Itoa(int(d)))
			}
			v["weekdays"] = strings.Join(ds, ",")
		} else {
			v["when"], v["cron"] = "cron", a.Cron
		}
	}
	return form{Values: v, Errors: map[string]string{}}
}

// repeatOf reads back the cron expressions admin.Repeat writes, so an edit shows the
// form that made them; anything else stays a cron expression.
func repeatOf(expr string) (admin.Repeat, bool) {
	f := strings.Fields(expr)
	if len(f) != 5 {
		return admin.Repeat{}, false
	}
	m, err1 := strconv.Atoi(f[0])
	h, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return admin.Repeat{}, false
	}
	rp := admin.Repeat{Time: admin.FormatClock(h, m)}
	switch {
	case f[2] == "*" && f[3] == "*" && f[4] == "*":
		rp.Every = admin.Daily
	case f[2] == "*" && f[3] == "*":
		rp.Every = admin.Weekly
		for _, d := range strings.Split(f[4], ",") {
			n, err := strconv.Atoi(d)
			if err != nil || n < 0 || n > 6 {
				return admin.Repeat{}, false
			}
			rp.Weekdays = append(rp.Weekdays, time.Weekday(n))
		}
	case f[3] == "*" && f[4] == "*":
		rp.Every = admin.Monthly
		rp.Day, err1 = strconv.Atoi(f[2])
	case f[4] == "*":
		rp.Every = admin.Yearly
		rp.Day, err1 = strconv.Atoi(f[2])
		var mo int
		mo, err2 = strconv.Atoi(f[3])
		rp.Month = time.Month(mo)
	default:
		return admin.Repeat{}, false
	}
	if err1 != nil || err2 != nil {
		return admin.Repeat{}, false
	}
	if again, err := rp.Cron(); err != nil || again != expr {
		return admin.Repeat{}, false
	}
	return rp, true
}

// announcementOf reads the form into what the admin layer checks. A date or time that
// cannot be read is a field error of its own.
func (c *Console) announcementOf(r *http.Request, f *form) (admin.Announcement, bool) {
	ann := admin.Announcement{Text: f.V("text"), Topic: f.V("topic"), Channel: f.V("channel")}
	switch f.V("when") {
	case "at":
		at, err := admin.ParseWhen(strings.TrimSpace(f.V("at_date")+" "+f.V("at_time")), c.loc())
		if err != nil || f.V("at_time") == "" {
			f.Errors["at"] = "Vui lòng chọn ngày và giờ gửi."
			return ann, false
		}
		ann.When.At = at
	case "repeat":
		rp := admin.Repeat{Every: admin.Frequency(f.V("repeat")), Time: f.V("time")}
		rp.Day, _ = strconv.Atoi(f.V("day"))
		mo, _ := strconv.Atoi(f.V("month"))
		rp.Month = time.Month(mo)
		for _, d := range r.PostForm["weekdays"] {
			if n, err := strconv.Atoi(d); err == nil {
				rp.Weekdays = append(rp.Weekdays, time.Weekday(n))
			}
		}
		f.Values["weekdays"] = strings.Join(r.PostForm["weekdays"], ",")
		ann.When.Repeat = &rp
	case "event":
		id, err := strconv.ParseInt(f.V("event"), 10, 64)
		if err != nil || id <= 0 {
			f.Errors["event"] = "Vui lòng chọn ngày kỷ niệm."
			return ann, false
		}
		ann.When.EventID, ann.When.EventTime = id, f.V("time")
	case "cron":
		ann.When.Cron = strings.TrimSpace(f.V("cron"))
		if ann.When.Cron == "" {
			f.Errors["cron"] = "Vui lòng nhập biểu thức cron, hoặc chọn một lịch lặp lại ở trên."
			return ann, false
		}
	}
	return ann, true
}

// postAnnouncement is every button of the form: preview and check, send a test to
// yourself, back to the form, confirm.
func (c *Console) postAnnouncement(w http.ResponseWriter, r *http.Request) {
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = c.pathID(w, r, "thông báo"); !ok {
			return
		}
	}
	f := formFrom(r, announcementFields...)
	d := announceForm{Form: f, ID: id}
	ann, ok := c.announcementOf(r, &d.Form)
	action := r.PostFormValue("action")
	if !ok || action == "back" {
		c.renderAnnounceForm(w, r, d, nil)
		return
	}
	ctx := r.Context()
	me := sessionOf(r).actor()
	if action == "test" {
		_, err := c.Ops.SendTest(ctx, me, ann)
		if c.answered(w, r, &d.Form, err, "send test", func() {
			c.renderAnnounceForm(w, r, d, nil)
		}) {
			return
		}
		d.Tested = true
		c.renderAnnounceForm(w, r, d, nil)
		return
	}
	plan, err := c.Ops.Plan(ctx, ann, 5)
	if c.answered(w, r, &d.Form, err, "plan announcement", func() {
		c.renderAnnounceForm(w, r, d, nil)
	}) {
		return
	}
	if action != "confirm" {
		d.Confirm = true
		c.renderAnnounceForm(w, r, d, &plan)
		return
	}
	// Nothing goes out on an audience the admin did not see: a size changed since the
	// confirmation page asks again.
	if shown, err := strconv.Atoi(f.V("audience")); err != nil || shown != plan.Audience {
		d.Confirm, d.AudienceChanged = true, 1
		c.renderAnnounceForm(w, r, d, &plan)
		return
	}
	var a store.Announcement
	if id == 0 {
		a, err = c.Ops.Schedule(ctx, me, ann)
	} else {
		version, _ := strconv.Atoi(f.V("version"))
		if version == 0 {
			version = -1 // a form without its version is never "whatever is current"
		}
		a, err = c.Ops.EditAnnouncement(ctx, me, id, version, ann)
	}
	if c.answered(w, r, &d.Form, err, "schedule announcement", func() {
		d.Confirm = false
		c.renderAnnounceForm(w, r, d, nil)
	}) {
		return
	}
	seeOther(w, r, "/thong-bao/"+strconv.FormatInt(a.ID, 10), "len-lich")
}

// renderAnnounceForm shows the form (or its confirmation step, with plan).
func (c *Console) renderAnnounceForm(w http.ResponseWriter, r *http.Request, d announceForm, plan *admin.Plan) {
	ctx := r.Context()
	topics, err := c.Store.Topics(ctx)
	if err != nil {
		c.failed(w, r, "topics", err)
		return
	}
	d.Topics = []option{{"", "Người nhận thông báo (chủ đề " + store.TopicAnnouncements + ")"},
		{store.TopicAll, "Tất cả người nhận, kể cả người đã tắt thông báo"}}
	for _, t := range topics {
		if t != store.TopicAnnouncements {
			d.Topics = append(d.Topics, option{t, "Chủ đề " + t})
		}
	}
	if d.Events, err = c.Store.Events(ctx, false); err != nil {
		c.failed(w, r, "events", err)
		return
	}
	d.Channels = chat.Channels()
	d.Months = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	checked := map[string]bool{}
	for _, s := range strings.Split(d.Form.V("weekdays"), ",") {
		checked[s] = true
	}
	for _, wl := range weekdayLabels {
		v := strconv.Itoa(int(wl.d))
		d.Days = append(d.Days, weekdayOption{Value: int(wl.d), Label: wl.label, Checked: checked[v]})
	}
	text := strings.TrimSpace(d.Form.V("text"))
	if plan != nil {
		d.Plan = *plan
		if plan.Event != nil && len(plan.Runs) > 0 {
			text = scheduler.FillPlaceholders(text, *plan.Event, calendar.DateIn(plan.Runs[0], c.loc()))
		}
		d.Form.Values["audience"] = strconv.Itoa(plan.Audience)
	}
	if text != "" {
		d.Preview = preview(text)
	}
	c.page(w, r, "announce", "announcements", d)
}

// previewJSON: the live preview, for the page's script.
func (c *Console) previewJSON(w http.ResponseWriter, r *http.Request) {
	p := preview(strings.TrimSpace(r.PostFormValue("text")))
	out := struct {
		Telegram string `json:"telegram"`
		Zalo     string `json:"zalo"`
	}{}
	var tg []string
	for _, part := range p.Telegram {
		tg = append(tg, string(part))
	}
	out.Telegram = strings.Join(tg, "\n\n")
	out.Zalo = strings.Join(p.Zalo, "\n\n")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

type announcementRow struct {
	store.Announcement
	Label  string
	Event  string
	Runs   int
	Missed int
}

func (c *Console) announcements(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Has("tat-ca")
	p, notice := c.pageAsked(r, false)
	pg, err := c.Store.AnnouncementPage(r.Context(), all, p)
	if err != nil {
		c.failed(w, r, "announcements", err)
		return
	}
	total, err := c.Store.CountAnnouncements(r.Context(), all)
	if err != nil {
		c.failed(w, r, "announcements", err)
		return
	}
	events := map[int64]string{}
	if evs, err := c.Store.Events(r.Context(), true); err == nil {
		for _, e := range evs {
			events[e.ID] = e.Title
		}
	}
	ids := make([]int64, len(pg.Rows))
	for i, a := range pg.Rows {
		ids[i] = a.ID
	}
	runs, err := c.Store.AnnouncementRunsOf(r.Context(), ids)
	if err != nil {
		c.failed(w, r, "announcements", err)
		return
	}
	var rows []announcementRow
	for _, a := range pg.Rows { // newest first; the store lists no draft
		row := announcementRow{Announcement: a, Label: label(store.Broadcast{Summary: broadcast.PlainMarkup(a.Body)})}
		if a.EventID != nil {
			row.Event = events[*a.EventID]
		}
		row.Runs, row.Missed = runs[a.ID].Sent, runs[a.ID].Missed
		rows = append(rows, row)
	}
	c.page(w, r, "announcements", "announcements", struct {
		Rows []announcementRow
		All  bool
		// Total is exact (store.CountAnnouncements).
		Total int
		Pager pager
	}{rows, all, total, pagerOf(r, pg, notice)})
}

type announcementDetail struct {
	A       store.Announcement
	Event   *calendar.Event
	Preview Preview
	Next    []time.Time
	Runs    []runRow
	// Waiting: its first run is due and not made yet (the page refreshes itself).
	Waiting bool
	Error   string
}

type runRow struct {
	store.AnnouncementRunItem
	Progress *store.BroadcastStat
}

func (c *Console) announcementPage(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "thông báo")
	if !ok {
		return
	}
	d, found := c.loadAnnouncement(w, r, id)
	if found {
		if d.Waiting {
			w.Header().Set("Refresh", "2") // until its first run exists: no script needed
		}
		c.page(w, r, "announcement", "announcements", d)
	}
}

func (c *Console) loadAnnouncement(w http.ResponseWriter, r *http.Request, id int64) (announcementDetail, bool) {
	ctx := r.Context()
	a, err := c.Store.Announcement(ctx, id)
	if err == nil && (a.Status == store.AnnouncementDraft || a.Status == store.AnnouncementDiscarded) {
		err = store.ErrNotFound // a draft, kept or discarded, is not an announcement yet
	}
	if !c.found(w, r, "thông báo", "announcement", err) {
		return announcementDetail{}, false
	}
	d := announcementDetail{A: a}
	text := a.Body
	if a.Status == store.AnnouncementScheduled {
		when := admin.When{Cron: a.Cron}
		if a.EventID != nil {
			when = admin.When{EventID: *a.EventID, EventTime: a.EventTime}
		}
		if a.Schedule != store.ScheduleOnce {
			if p, err := c.Ops.Plan(ctx, admin.Announcement{Text: a.Body, Topic: a.Topic, Channel: string(a.Channel), When: when}, 5); err == nil {
				d.Next, d.Event = p.Runs, p.Event
				if p.Event != nil && len(p.Runs) > 0 {
					text = scheduler.FillPlaceholders(text, *p.Event, calendar.DateIn(p.Runs[0], c.loc()))
				}
			}
		} else if a.NextRunAt != nil {
			d.Next = []time.Time{*a.NextRunAt}
		}
	}
	d.Preview = preview(text)
	runs, err := c.Store.AnnouncementRunList(ctx, id, 20)
	if err != nil {
		c.failed(w, r, "announcement runs", err)
		return announcementDetail{}, false
	}
	var ids []int64
	for _, run := range runs {
		if run.BroadcastID != nil {
			ids = append(ids, *run.BroadcastID)
		}
	}
	progress, err := c.Store.BroadcastProgress(ctx, ids)
	if err != nil {
		c.failed(w, r, "runs' progress", err)
		return announcementDetail{}, false
	}
	for _, run := range runs {
		row := runRow{AnnouncementRunItem: run}
		if run.BroadcastID != nil {
			if p, ok := progress[*run.BroadcastID]; ok {
				row.Progress = &p
			}
		}
		d.Runs = append(d.Runs, row)
	}
	d.Waiting = a.Status == store.AnnouncementScheduled && a.NextRunAt != nil && !a.NextRunAt.After(c.now()) && len(runs) == 0
	return d, true
}

// cancelOn is the POST that cancels the object {id} whose page is path+id (what names
// it): op, then its page saying "Đã huỷ", or its page again (load) with the refusal.
func cancelOn[T refusable](c *Console, what, path, page, nav string, op func(ctx context.Context, a admin.Actor, id int64) error,
	load func(w http.ResponseWriter, r *http.Request, id int64) (T, bool)) http.HandlerFunc {
	return c.onObject(what, func(w http.ResponseWriter, r *http.Request, id int64) error {
		if err := op(r.Context(), sessionOf(r).actor(), id); err != nil {
			return err
		}
		seeOther(w, r, path+strconv.FormatInt(id, 10), "huy")
		return nil
	}, func(w http.ResponseWriter, r *http.Request, id int64, refusal string) {
		if d, found := load(w, r, id); found {
			c.page(w, r, page, nav, d.refused(refusal))
		}
	})
}

// refusable is a page's data that can show a refused action above it.
type refusable interface{ refused(msg string) any }

func (d announcementDetail) refused(msg string) any { d.Error = msg; return d }
func (d broadcastDetail) refused(msg string) any    { d.Error = msg; return d }
