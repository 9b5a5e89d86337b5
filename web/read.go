package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"loa/admin"
	"loa/broadcast"
	"loa/chat"
	"loa/feeds"
	"loa/store"
)

// The pages that show what loa did: broadcasts, subscribers, feeds' health.

// kindNames name the kinds of broadcast.
var kindNames = map[store.BroadcastKind]string{
	store.KindArticle:      "Bài viết",
	store.KindAnniversary:  "Ngày kỷ niệm",
	store.KindAnnouncement: "Thông báo",
	store.KindAlert:        "Cảnh báo",
}

func kindName(k store.BroadcastKind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return string(k)
}

// statusNames name subscribers' and deliveries' statuses.
var statusNames = map[string]string{
	string(store.StatusActive):      "đang nhận",
	string(store.StatusStopped):     "đã dừng",
	string(store.StatusGone):        "không còn liên lạc được",
	string(store.DeliveryPending):   "đang chờ",
	string(store.DeliverySent):      "đã gửi",
	string(store.DeliveryFailed):    "thất bại",
	string(store.DeliveryCancelled): "đã huỷ",
}

// statusName names a subscriber's or a delivery's status (any of the store's typed
// statuses).
func statusName(s any) string {
	k := fmt.Sprint(s)
	if n, ok := statusNames[k]; ok {
		return n
	}
	return k
}

// chatKindNames name the kinds of chat.
var chatKindNames = map[chat.Kind]string{
	chat.KindPrivate:    "cá nhân",
	chat.KindGroup:      "nhóm",
	chat.KindSupergroup: "siêu nhóm",
	chat.KindChannel:    "kênh",
}

type broadcastRow struct {
	store.BroadcastStat
	Label string
}

func label(b store.Broadcast) string {
	if t := strings.Join(strings.Fields(b.Title), " "); t != "" {
		return t
	}
	summary := b.Summary
	if b.Kind == store.KindAnnouncement {
		summary = broadcast.PlainMarkup(summary)
	}
	s := strings.Join(strings.Fields(summary), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	if s == "" {
		return b.SourceKey
	}
	return s
}

type broadcastsData struct {
	Rows []broadcastRow
	// Total is exact (store.CountBroadcasts).
	Total int
	Pager pager
}

func (c *Console) broadcasts(w http.ResponseWriter, r *http.Request) {
	p, notice := c.pageAsked(r, true)
	pg, err := c.Store.BroadcastPage(r.Context(), p)
	if err != nil {
		c.failed(w, r, "broadcasts", err)
		return
	}
	total, err := c.Store.CountBroadcasts(r.Context())
	if err != nil {
		c.failed(w, r, "broadcasts", err)
		return
	}
	d := broadcastsData{Rows: make([]broadcastRow, len(pg.Rows)), Total: total, Pager: pagerOf(r, pg, notice)}
	for i, b := range pg.Rows {
		d.Rows[i] = broadcastRow{BroadcastStat: b, Label: label(b.Broadcast)}
	}
	c.page(w, r, "broadcasts", "broadcasts", d)
}

type broadcastDetail struct {
	B        store.BroadcastStat
	Label    string
	Link     string
	Failures []store.FailureCount
	// Error is the outcome of a refused cancel.
	Error string
}

func (c *Console) broadcastPage(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "bản tin")
	if !ok {
		return
	}
	d, found := c.loadBroadcast(w, r, id)
	if found {
		c.page(w, r, "broadcast", "broadcasts", d)
	}
}

func (c *Console) loadBroadcast(w http.ResponseWriter, r *http.Request, id int64) (broadcastDetail, bool) {
	b, fails, err := c.Store.BroadcastDetail(r.Context(), id)
	if !c.found(w, r, "bản tin", "broadcast", err) {
		return broadcastDetail{}, false
	}
	return broadcastDetail{B: b, Label: label(b.Broadcast), Link: feeds.RedactURL(b.Link), Failures: fails}, true
}

// recipientsCSV: who a broadcast reached, failed or skipped, while its rows are kept.
func (c *Console) recipientsCSV(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r, "bản tin")
	if !ok {
		return
	}
	if _, _, err := c.Store.BroadcastDetail(r.Context(), id); !c.found(w, r, "bản tin", "broadcast", err) {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ban-tin-%d-nguoi-nhan.csv"`, id))
	_, _ = w.Write([]byte("\uFEFF")) // spreadsheet programs then read UTF-8
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kênh", "mã chat", "loại", "tên", "trạng thái", "lý do", "lỗi", "gửi lúc"})
	loc := c.loc()
	err := c.Store.BroadcastRecipients(r.Context(), id, func(rc store.Recipient) error {
		sent := ""
		if rc.SentAt != nil {
			sent = rc.SentAt.In(loc).Format("2006-01-02 15:04:05")
		}
		return cw.Write(csvSafe(string(rc.Channel), rc.Address, chatKindNames[rc.Kind], rc.Title, statusName(rc.Status), admin.ReasonText(rc.Reason), rc.LastError, sent))
	})
	cw.Flush()
	if err != nil {
		// The header is out: the file ends short, and the log says why.
		c.log().Error("web: recipients CSV", "broadcast", id, "error", err.Error())
	}
}

// csvSafe keeps a spreadsheet from running a cell as a formula (a chat title that
// starts with "=").
func csvSafe(cells ...string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

type subscribersData struct {
	F store.SubscriberFilter
	// Query is the list's query (filters, page) without the outcome, so that an action
	// on a row comes back to the same list.
	Query string
	Subs  []store.Subscriber
	// Total is exact: every subscriber matching the filters, on every page.
	Total    int
	Pager    pager
	Counts   []subRow
	Topics   []string
	Channels []chat.Channel
	Kinds    []option
	Statuses []option
}

type option struct{ Value, Label string }

func (c *Console) subscribers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.SubscriberFilter{Channel: chat.Channel(q.Get("kenh")), Kind: chat.Kind(q.Get("loai")), Status: store.SubscriberStatus(q.Get("trang-thai")),
		Topic: q.Get("chu-de"), Query: strings.TrimSpace(q.Get("q"))}
	p, notice := c.pageAsked(r, false)
	pg, total, err := c.Store.SearchSubscribers(r.Context(), f, p)
	if err != nil {
		c.failed(w, r, "subscribers", err)
		return
	}
	stats, err := c.Store.SubscriberStats(r.Context())
	if err != nil {
		c.failed(w, r, "subscriber stats", err)
		return
	}
	topics, err := c.Store.Topics(r.Context())
	if err != nil {
		c.failed(w, r, "topics", err)
		return
	}
	d := subscribersData{F: f, Query: listQuery(r.URL.RawQuery), Subs: pg.Rows, Total: total, Pager: pagerOf(r, pg, notice),
		Counts: subscriberKindRows(stats), Topics: topics, Channels: chat.Channels()}
	for _, k := range []chat.Kind{chat.KindPrivate, chat.KindGroup, chat.KindSupergroup, chat.KindChannel} {
		d.Kinds = append(d.Kinds, option{string(k), chatKindNames[k]})
	}
	for _, s := range []store.SubscriberStatus{store.StatusActive, store.StatusStopped, store.StatusGone} {
		d.Statuses = append(d.Statuses, option{string(s), statusName(s)})
	}
	c.page(w, r, "subscribers", "subscribers", d)
}

type feedRow struct {
	store.Feed
	NextPoll time.Time
}

type feedsData struct {
	Feeds []feedRow
	// Form is the add (or edit) form as typed, with its errors.
	Form      form
	Intervals []intervalOption
}

func (c *Console) feeds(w http.ResponseWriter, r *http.Request) {
	c.renderFeeds(w, r, form{})
}

func (c *Console) renderFeeds(w http.ResponseWriter, r *http.Request, f form) {
	fs, err := c.Store.Feeds(r.Context())
	if err != nil {
		c.failed(w, r, "feeds", err)
		return
	}
	d := feedsData{Form: f, Intervals: intervalOptions(f.V("interval"))}
	for _, x := range fs {
		x.URL = feeds.RedactURL(x.URL)
		d.Feeds = append(d.Feeds, feedRow{Feed: x, NextPoll: x.NextPollAt})
	}
	c.page(w, r, "feeds", "feeds", d)
}

// form is a form as the admin typed it, with the errors to show next to its fields:
// a refused form is shown again with what was typed, and nothing written.
type form struct {
	Values map[string]string
	Errors map[string]string
	// Error is a message about the whole form (a conflict, the database).
	Error string
}

// V is a field's value as typed.
func (f form) V(name string) string { return f.Values[name] }

// E is a field's error.
func (f form) E(name string) string { return f.Errors[name] }

// Invalid is "true" when the field has an error (for aria-invalid).
func (f form) Invalid(name string) string {
	if f.Errors[name] != "" {
		return "true"
	}
	return "false"
}

// formFrom reads the named fields of a posted form.
func formFrom(r *http.Request, names ...string) form {
	f := form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, n := range names {
		f.Values[n] = r.PostFormValue(n)
	}
	return f
}
