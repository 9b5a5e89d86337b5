package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loa/admin"
	"loa/calendar"
	"loa/chat"
	"loa/store"
)

//go:embed templates
var templateFiles embed.FS

// pages are the parsed templates: each page is the layout plus its own file.
type pages struct {
	byName map[string]*template.Template
}

// navItem is one entry of the menu.
type navItem struct {
	Key, Title, Path string
}

// nav is the menu, in the order admins use it most.
var nav = []navItem{
	{"overview", "Tổng quan", "/"},
	{"announcements", "Thông báo", "/thong-bao"},
	{"calendar", "Lịch kỷ niệm", "/lich"},
	{"broadcasts", "Bản tin", "/ban-tin"},
	{"feeds", "Nguồn tin", "/nguon-tin"},
	{"subscribers", "Người nhận", "/nguoi-nhan"},
	{"admins", "Quản trị viên", "/quan-tri"},
	{"audit", "Nhật ký", "/nhat-ky"},
}

func mustParsePages(loc *time.Location) *pages {
	sub, err := fs.Sub(templateFiles, "templates")
	if err != nil {
		panic(err)
	}
	base := template.Must(template.New("layout.html").Funcs(funcs(loc)).ParseFS(sub, "layout.html", "partials.html", "pager.html"))
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		panic(err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" || name == "partials" || name == "pager" {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(sub, e.Name()))
		p.byName[name] = t
	}
	return p
}

// view is what the layout gets: the page's data and what every page shows.
type view struct {
	Title   string
	Nav     string
	Menu    []navItem
	Session *session
	CSRF    string
	Data    any
	// Flash is a one-line outcome of the last action ("Đã lưu"), from ?ok=.
	Flash string
}

// message is a page of a few words: an error, a refusal, a link that cannot be used.
type message struct {
	Title, Text, Back string
}

// titles of the pages that are not in the menu.
var titles = map[string]string{
	"message":     "",
	"signin":      "Đăng nhập",
	"signin-help": "Đăng nhập",
}

// render writes the page name with data, in the layout, with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	c.renderNav(w, r, status, name, "", "", data)
}

// page writes a page of the menu.
func (c *Console) page(w http.ResponseWriter, r *http.Request, name, navKey string, data any) {
	c.pageStatus(w, r, http.StatusOK, name, navKey, data)
}

// pageStatus is page answering with status (a form refused on a GET: 400).
func (c *Console) pageStatus(w http.ResponseWriter, r *http.Request, status int, name, navKey string, data any) {
	title := ""
	for _, n := range nav {
		if n.Key == navKey {
			title = n.Title
		}
	}
	c.renderNav(w, r, status, name, navKey, title, data)
}

func (c *Console) renderNav(w http.ResponseWriter, r *http.Request, status int, name, navKey, title string, data any) {
	t := c.pages.byName[name]
	if t == nil {
		panic("web: no template " + name)
	}
	if title == "" {
		title = titles[name]
		if m, ok := data.(message); ok {
			title = m.Title
		}
	}
	v := view{Title: title, Nav: navKey, Data: data, Flash: flashText[r.URL.Query().Get("ok")]}
	if s := sessionOf(r); s != nil {
		v.Session, v.CSRF, v.Menu = s, s.CSRF, nav
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log().Error("render page", slog.String("page", name), slog.String("error", err.Error()))
		http.Error(w, "Lỗi hiển thị trang", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// failed answers a request whose work failed for a reason the admin cannot fix (the
// database): logged with the detail, shown without it.
func (c *Console) failed(w http.ResponseWriter, r *http.Request, op string, err error) {
	c.log().Error("web: "+op, slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	c.render(w, r, http.StatusServiceUnavailable, "message", message{Title: "Tạm thời không làm được",
		Text: "Máy chủ đang gặp sự cố (cơ sở dữ liệu không trả lời). Không có gì được thay đổi. Hãy thử lại sau ít phút.", Back: "/"})
}

// flashText are the outcomes a redirect after an action names with ?ok=.
var flashText = map[string]string{
	"saved":    "Đã lưu.",
	"huy":      "Đã huỷ.",
	"sent":     "Đã gửi.",
	"test":     "Đã gửi thử cho bạn. Hãy xem trong tin nhắn riêng với bot.",
	"removed":  "Đã xoá.",
	"added":    "Đã thêm quản trị viên.",
	"enabled":  "Đã bật lại.",
	"disabled": "Đã tắt.",
	"imported": "Đã nhập.",
	"len-lich": "Đã lên lịch.",
	"gui-tiep": "Đã cho gửi tiếp: các tin đang chờ sẽ được gửi ngay.",
}

// seeOther redirects after a successful POST, naming the outcome.
func seeOther(w http.ResponseWriter, r *http.Request, path, ok string) {
	if ok != "" {
		path, frag, hasFrag := strings.Cut(path, "#")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "ok=" + ok
		if hasFrag {
			path += "#" + frag
		}
		http.Redirect(w, r, path, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// funcs are the templates' helpers; times are shown in loc (LOA_TIMEZONE).
func funcs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"num":      formatNum,
		"date":     func(t time.Time) string { return t.In(loc).Format("02/01/2006") },
		"datetime": func(t time.Time) string { return t.In(loc).Format("15:04 02/01/2006") },
		"pdatetime": func(t *time.Time) string {
			if t == nil {
				return "—"
			}
			return t.In(loc).Format("15:04 02/01/2006")
		},
		"channelName": channelName,
		"pct": func(part, total int) string {
			if total <= 0 {
				return "0"
			}
			return strconv.FormatFloat(float64(part)*100/float64(total), 'f', 1, 64)
		},
		"add":        func(a, b int) int { return a + b },
		"kindName":   kindName,
		"statusName": statusName,
		"chatKind":   func(k chat.Kind) string { return chatKindNames[k] },
		"dur":        formatDuration,
		"weekdays":   func() []string { return weekdayHeads },
		"eventDate":  admin.EventDate,
		"categories": func() []option { return categoryNames },
		"label":      func(b store.BroadcastStat) string { return label(b.Broadcast) },
		"notice":     calendar.NoticeText,
		"reasonText": admin.ReasonText,
		// A subscriber's status reason is a delivery reason (blocked, kicked, …) or the
		// command that stopped it ("/stop"), shown as it is.
		"statusReason":  func(r string) string { return admin.ReasonText(store.Reason(r)) },
		"topicAll":      func() string { return store.TopicAll },
		"icsYearsAhead": func() int { return admin.ICSYearsAhead },
	}
}

// formatNum writes n the Vietnamese way: 12.345.
func formatNum(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// channelName is a channel as admins call it.
func channelName(c any) string {
	ch := fmt.Sprint(c)
	if ch == "" {
		return "Tất cả kênh"
	}
	return strings.ToUpper(ch[:1]) + ch[1:]
}

// pathID reads the positive {id} of the path; one that is not an id gets the "not
// found" page naming what, and ok is false.
func (c *Console) pathID(w http.ResponseWriter, r *http.Request, what string) (id int64, ok bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r, what)
		return 0, false
	}
	return id, true
}

// found answers for a read of one object that did not succeed: an unknown one
// (store.ErrNotFound) with the "not found" page naming what, a failed read with the
// error page (op names it in the log). It reports whether err is nil: the page is then
// the caller's to write.
func (c *Console) found(w http.ResponseWriter, r *http.Request, what, op string, err error) bool {
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.notFound(w, r, what)
	case err != nil:
		c.failed(w, r, op, err)
	default:
		return true
	}
	return false
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request, what string) {
	c.render(w, r, http.StatusNotFound, "message", message{Title: "Không tìm thấy",
		Text: fmt.Sprintf("Không có %s này (có thể đã bị xoá).", what), Back: "/"})
}

// formatDuration writes an interval the way admins say it: "15 phút", "2 giờ", "1 giờ 30 phút".
func formatDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return strconv.Itoa(m) + " phút"
	case m == 0:
		return strconv.Itoa(h) + " giờ"
	}
	return strconv.Itoa(h) + " giờ " + strconv.Itoa(m) + " phút"
}

// refused puts an admin-layer refusal into the form: a field's error next to that
// field (the form's inputs are named as admin.Field), anything else above the form.
// It reports whether err was such a refusal; other errors are the caller's to handle.
func (c *Console) refused(w http.ResponseWriter, r *http.Request, f *form, err error) bool {
	if err == nil {
		return false
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	var fe *admin.FieldError
	var oe *admin.ObjectError
	var ce *admin.ConflictError
	var ie *admin.ImportError
	switch {
	case errors.As(err, &fe):
		f.Errors[string(fe.Field)] = admin.Message(err)
	case errors.As(err, &ce), errors.As(err, &oe), errors.As(err, &ie):
		f.Error = admin.Message(err)
	default:
		return false
	}
	return true
}

// answered answers for an admin operation that did not succeed: a refusal goes into f
// and again shows the form with it, another error gets the failure page (op names it
// in the log). It reports whether it answered; when not, err was nil and the answer
// is the caller's.
func (c *Console) answered(w http.ResponseWriter, r *http.Request, f *form, err error, op string, again func()) bool {
	switch {
	case c.refused(w, r, f, err):
		again()
	case err != nil:
		c.failed(w, r, op, err)
	default:
		return false
	}
	return true
}

// Message is the form's refusal in one sentence: about the whole form, else a field's.
func (f form) Message() string {
	if f.Error != "" {
		return f.Error
	}
	for _, m := range f.Errors {
		return m
	}
	return ""
}

// onObject is the handler of a POST on the object {id} of the path (what names it when
// the id is not one): act runs the admin operation and answers; a refusal it returns
// goes to refused with admin's wording, any other error is the failure page.
func (c *Console) onObject(what string, act func(w http.ResponseWriter, r *http.Request, id int64) error,
	refused func(w http.ResponseWriter, r *http.Request, id int64, refusal string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := c.pathID(w, r, what)
		if !ok {
			return
		}
		err := act(w, r, id)
		var f form
		switch {
		case c.refused(w, r, &f, err):
			refused(w, r, id, f.Error)
		case err != nil:
			c.failed(w, r, r.Method+" "+r.URL.Path, err)
		}
	}
}
