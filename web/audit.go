package web

import (
	"net/http"
	"strings"

	"loa/calendar"
	"loa/store"
)

// Nhật ký: the audit log, with filters.

type auditData struct {
	Entries []store.AuditEntry
	Pager   pager
	// About is the planner's estimate of the entries in the log (not exact; counting a
	// million entries on every page would read them all), shown without filters only;
	// 0 when unknown.
	About   int
	Actor   string
	Action  string
	Via     string
	Since   string
	Vias    []option
	Actions []option
}

// actionGroups are the kinds of action the filter offers (a prefix matches the group).
var actionGroups = []option{
	{"announcement.", "Thông báo"}, {"broadcast.", "Bản tin"}, {"event.", "Lịch kỷ niệm"}, {"feed.", "Nguồn tin"},
	{"admin.", "Quản trị viên"}, {"invite.", "Mã mời"}, {"web.", "Đăng nhập, đăng xuất"},
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := auditData{Actor: strings.TrimSpace(q.Get("nguoi")), Action: q.Get("hanh-dong"), Via: q.Get("qua"), Since: q.Get("tu"),
		Actions: actionGroups,
		Vias: []option{{string(store.ViaWeb), "Bảng điều khiển web"}, {string(store.ViaBot), "Bot"},
			{string(store.ViaCLI), "Dòng lệnh"}, {string(store.ViaService), "loa tự làm"}}}
	f := store.AuditFilter{Actor: d.Actor, Action: d.Action, Via: store.Via(d.Via)}
	if day, err := calendar.ParseDate(d.Since); err == nil {
		f.Since = day.In(c.loc())
	}
	p, notice := c.pageAsked(r, true)
	pg, err := c.Store.AuditPage(r.Context(), f, p)
	if err != nil {
		c.failed(w, r, "audit log", err)
		return
	}
	d.Entries, d.Pager = pg.Rows, pagerOf(r, pg, notice)
	if f == (store.AuditFilter{}) {
		if n, ok, err := c.Store.AuditLogEstimate(r.Context()); err != nil {
			c.failed(w, r, "audit log", err)
			return
		} else if ok {
			d.About = n
		}
	}
	c.page(w, r, "audit", "audit", d)
}
