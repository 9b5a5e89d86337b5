package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"loa/chat"
	"loa/store"
)

var (
	nextRe = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	prevRe = regexp.MustCompile(`<a href="([^"]+)" rel="prev">`)
)

// walkList reads a list in the console as a browser would, following "Trang sau" from
// start to the last page and then "Trang trước" back to the first, and checks that
// both walks show want (row keys in the list's order, as rowRe finds them), no row
// missing or repeated, each link keeping the filters of start.
func walkList(t *testing.T, r *rig, c *http.Client, start string, rowRe *regexp.Regexp, want []string) {
	t.Helper()
	u, err := url.Parse(start)
	if err != nil {
		t.Fatal(err)
	}
	filters := u.Query()
	type page struct {
		rows       []string
		prev, next string
	}
	get := func(path string) page {
		t.Helper()
		code, body := do(t, c, "GET", r.srv.URL+path, nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, code, body)
		}
		var p page
		for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
			p.rows = append(p.rows, m[1])
		}
		for _, l := range []struct {
			re *regexp.Regexp
			to *string
		}{{nextRe, &p.next}, {prevRe, &p.prev}} {
			m := l.re.FindAllStringSubmatch(body, -1)
			if len(m) == 0 {
				continue
			}
			*l.to = html.UnescapeString(m[0][1])
			lu, err := url.Parse(*l.to)
			if err != nil || lu.Path != u.Path {
				t.Fatalf("GET %s: link %q leaves the list", path, *l.to)
			}
			for k := range filters {
				if lu.Query().Get(k) != filters.Get(k) {
					t.Errorf("GET %s: link %q lost the filter %s=%q", path, *l.to, k, filters.Get(k))
				}
			}
		}
		if len(p.rows) > r.c.pageSize() {
			t.Fatalf("GET %s: %d rows on a page of %d", path, len(p.rows), r.c.pageSize())
		}
		return p
	}
	var fwd [][]string
	p := get(start)
	if p.prev != "" {
		t.Errorf("GET %s: the first page links to a previous one", start)
	}
	for {
		fwd = append(fwd, p.rows)
		if p.next == "" || len(fwd) > len(want) {
			break
		}
		p = get(p.next)
	}
	if got := slices.Concat(fwd...); !slices.Equal(got, want) {
		t.Fatalf("%s forward: %v, want %v", start, fwd, want)
	}
	back := [][]string{p.rows}
	for p.prev != "" && len(back) <= len(want) {
		p = get(p.prev)
		back = append([][]string{p.rows}, back...)
	}
	if got := slices.Concat(back...); !slices.Equal(got, want) {
		t.Fatalf("%s back: %v, want %v", start, back, want)
	}
	if len(fwd) < 3 {
		t.Errorf("%s: %d pages; the test wants at least three", start, len(fwd))
	}
}

// TestListsPageForwardAndBack: more rows than a page in each long list; walked
// through the console with their filters, every row shows once, in order.
func TestListsPageForwardAndBack(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(c *Console) { c.PageSize = 3 })
	ctx := context.Background()
	c, _ := r.signIn("telegram", "1001")

	// Người nhận: 8 Telegram chats named "Chị Hoa …" among others, filtered by channel
	// and a search with a space and a Vietnamese letter.
	var subs []string
	for i := range 13 {
		ch := chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(600 + i), Kind: chat.KindPrivate, Title: fmt.Sprintf("Chị Hoa %d", i)}
		switch {
		case i%4 == 1:
			ch.Channel, ch.Address = chat.Zalo, fmt.Sprintf("z%d", i)
		case i%4 == 3 && i > 5:
			ch.Title = fmt.Sprintf("Anh Ba %d", i)
		}
		sub, _, err := r.st.Subscribe(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Channel == chat.Telegram && strings.HasPrefix(ch.Title, "Chị Hoa") {
			subs = append(subs, fmt.Sprint(sub.ID))
		}
	}
	q := url.Values{"kenh": {"telegram"}, "q": {"chị hoa"}, "trang-thai": {string(store.StatusActive)}}
	walkList(t, r, c, "/nguoi-nhan?"+q.Encode(), regexp.MustCompile(`<tr>\s*<td>(\d+)</td>`), subs)

	// Nhật ký: entries through the web about feeds, among sign-ins and the CLI's.
	var entries []string
	for i := range 10 {
		by := store.Actor{ID: "telegram:1001", Via: store.ViaWeb}
		if i%3 == 2 {
			by = store.Actor{ID: "cli:an", Via: store.ViaCLI}
		}
		if err := r.st.As(by).Record(ctx, "feed.test", "feed 1", fmt.Sprintf("mục %d", i)); err != nil {
			t.Fatal(err)
		}
		if by.Via == store.ViaWeb {
			entries = append([]string{fmt.Sprint(i)}, entries...) // newest first
		}
	}
	q = url.Values{"hanh-dong": {"feed."}, "qua": {"web"}, "tu": {"2020-01-01"}}
	walkList(t, r, c, "/nhat-ky?"+q.Encode(), regexp.MustCompile(`<td>mục (\d+)</td></tr>`), entries)

	// Bản tin: seven broadcasts, newest first.
	var bcasts []string
	for i := range 7 {
		id, _, err := r.st.CreateBroadcast(ctx, store.NewBroadcast{SourceKey: fmt.Sprintf("test:%d", i), Kind: store.KindArticle, Topic: "news", Title: fmt.Sprintf("Tin %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		bcasts = append([]string{fmt.Sprint(id)}, bcasts...)
	}
	walkList(t, r, c, "/ban-tin", regexp.MustCompile(`<td><a href="/ban-tin/(\d+)">`), bcasts)

	// Thông báo, with those done and cancelled (?tat-ca).
	var anns []string
	for i := range 7 {
		a, err := r.st.As(store.Actor{ID: "telegram:1001", Via: store.ViaWeb}).CreateAnnouncement(ctx, store.NewAnnouncement{
			Body: fmt.Sprintf("Họp %d", i), Topic: store.TopicAnnouncements, Schedule: store.ScheduleOnce, NextRunAt: r.clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		anns = append([]string{fmt.Sprint(a.ID)}, anns...)
	}
	walkList(t, r, c, "/thong-bao?tat-ca=", regexp.MustCompile(`<td><a href="/thong-bao/(\d+)">#`), anns)
}

// TestForgedCursor: a page link whose cursor the console did not write shows the
// first page with a notice, never an error.
func TestForgedCursor(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(c *Console) { c.PageSize = 2 })
	ctx := context.Background()
	c, _ := r.signIn("telegram", "1001")
	for i := range 3 {
		if _, _, err := r.st.Subscribe(ctx, chat.Chat{Channel: chat.Telegram, Address: fmt.Sprint(700 + i), Kind: chat.KindPrivate, Title: fmt.Sprintf("Chị Mai %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ path, first string }{
		{"/nguoi-nhan?kenh=telegram&sau=abc", "Chị Mai 0"},
		{"/nguoi-nhan?truoc=", "Chị Mai 0"},
		{"/nguoi-nhan?sau=1_2", "Chị Mai 0"},
		{"/nhat-ky?truoc=5", "web.signin"},
		{"/nhat-ky?sau=99999999999999999999_1", "web.signin"},
		{"/ban-tin?sau=" + url.QueryEscape("<script>"), "Chưa có bản tin nào"},
		{"/thong-bao?sau=-3", "Viết thông báo"},
	} {
		code, body := do(t, c, "GET", r.srv.URL+tt.path, nil)
		if code != http.StatusOK || !strings.Contains(body, html.EscapeString(badCursorText)) || !strings.Contains(body, tt.first) {
			t.Errorf("GET %s: %d, want the notice and %q in\n%s", tt.path, code, tt.first, body)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("GET %s shows the cursor unescaped", tt.path)
		}
	}
	// The first page of the subscribers has a next page, kept filtered.
	_, body := do(t, c, "GET", r.srv.URL+"/nguoi-nhan?kenh=telegram&sau=abc", nil)
	if m := nextRe.FindStringSubmatch(body); m == nil || !strings.Contains(html.UnescapeString(m[1]), "kenh=telegram") || strings.Contains(m[1], "abc") {
		t.Errorf("next link after a forged cursor: %v", m)
	}
}
