package web

import (
	"net/http"
	"strings"

	"loa/calendar"
	"loa/store"
)

// Nhật ký: the audit log, with filters.

func (c *Console) auditRoutes(mux *http.ServeMux) {
	mux.Handle("GET /nhat-ky", c.auth(c.audit))
}

type auditData struct {
	Entries []store.AuditEntry
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
	f := store.AuditFilter{Actor: d.Actor, Action: d.Action, Via: store.Via(d.Via), Limit: 200}
	if day, err := calendar.ParseDate(d.Since); err == nil {
		f.Since = day.In(c.loc())
	}
	var err error
	if d.Entries, err = c.Store.AuditEntries(r.Context(), f); err != nil {
		c.failed(w, r, "audit log", err)
		return
	}
	c.page(w, r, "audit", "audit", d)
}
