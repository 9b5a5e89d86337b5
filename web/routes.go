package web

import (
	"context"
	"net/http"

	"loa/admin"
)

// access is who may reach a route, and whether reaching it counts as activity.
type access int

const (
	// signedIn: an admin's page or action; it touches the session's idle expiry.
	signedIn access = iota
	// quiet: a signed-in admin's script (live progress, the preview), which must not
	// keep a page left open signed in.
	quiet
	// open: the sign-in pages, reached without a session.
	open
)

// route is one page or action of the console.
type route struct {
	pattern string
	handler http.HandlerFunc
	access  access
}

// siteMap is every page and action of the console, by the menu's sections, in one
// place: a new page is added here, and a reader finds what a path does without
// reading every file.
func (c *Console) siteMap() []route {
	return []route{
		// Đăng nhập: a one-time link (from the bot's /web, or loa web link) signs in
		// after a button press; signing out ends the session (auth.go).
		{"GET /dang-nhap/{token}", c.signInPage, open},
		{"POST /dang-nhap/{token}", c.signIn, open},
		{"GET /dang-nhap", c.signedOutPage, open},
		{"POST /dang-xuat", c.signOut, signedIn},

		// Tổng quan, and its live progress.
		{"GET /{$}", c.overview, signedIn},
		{"GET /api/tien-do", c.progressJSON, quiet},

		// Thông báo: write an announcement, preview it, confirm it, follow its runs;
		// edit, cancel (announce.go).
		{"GET /thong-bao", c.announcements, signedIn},
		{"GET /thong-bao/moi", c.newAnnouncement, signedIn},
		{"POST /thong-bao/moi", c.postAnnouncement, signedIn},
		{"POST /thong-bao/xem-truoc", c.previewJSON, quiet},
		{"GET /thong-bao/{id}", c.announcementPage, signedIn},
		{"GET /thong-bao/{id}/sua", c.editAnnouncement, signedIn},
		{"POST /thong-bao/{id}/sua", c.postAnnouncement, signedIn},
		{"POST /thong-bao/{id}/huy", c.cancelAnnouncement(), signedIn},

		// Bản tin: what loa sent, to whom (read.go); cancelling one still sending.
		{"GET /ban-tin", c.broadcasts, signedIn},
		{"GET /ban-tin/{id}", c.broadcastPage, signedIn},
		{"GET /ban-tin/{id}/nguoi-nhan.csv", c.recipientsCSV, signedIn},
		{"POST /ban-tin/{id}/huy", c.cancelBroadcast(), signedIn},

		// Người nhận: the list (read.go), lifting a paused chat's pause (subscribers.go).
		{"GET /nguoi-nhan", c.subscribers, signedIn},
		{"POST /nguoi-nhan/{id}/gui-tiep", c.resumeSubscriber(), signedIn},

		// Lịch kỷ niệm: the month view, the banner, exports (calendar.go); the edits
		// and a CSV import (events.go).
		{"GET /lich", c.calendarMonth, signedIn},
		{"GET /lich/su-kien.csv", c.calendarExport(admin.FormatCSV, "text/csv; charset=utf-8", "lich-ky-niem.csv"), signedIn},
		{"GET /lich/su-kien.ics", c.calendarExport(admin.FormatICS, "text/calendar; charset=utf-8", "lich-ky-niem.ics"), signedIn},
		{"POST /lich/su-kien", c.addEvent, signedIn},
		{"GET /lich/su-kien/{id}/sua", c.editEventPage, signedIn},
		{"POST /lich/su-kien/{id}/sua", c.editEvent, signedIn},
		{"POST /lich/su-kien/{id}/bat", c.enableEvent(true), signedIn},
		{"POST /lich/su-kien/{id}/tat", c.enableEvent(false), signedIn},
		{"POST /lich/nhap", c.importEvents, signedIn},

		// Nguồn tin: feeds' health (read.go); add (checked by fetching it, as the CLI
		// does), edit topic and interval, disable, enable, remove, OPML import and
		// export (feeds.go).
		{"GET /nguon-tin", c.feeds, signedIn},
		{"POST /nguon-tin", c.addFeed, signedIn},
		{"GET /nguon-tin/{id}/sua", c.editFeedPage, signedIn},
		{"POST /nguon-tin/{id}/sua", c.editFeed, signedIn},
		{"POST /nguon-tin/{id}/tat", c.feedAction("disabled"), signedIn},
		{"POST /nguon-tin/{id}/bat", c.feedAction("enabled"), signedIn},
		{"POST /nguon-tin/{id}/xoa", c.feedAction("removed"), signedIn},
		{"POST /nguon-tin/nhap", c.importFeeds, signedIn},
		{"GET /nguon-tin/nguon-tin.opml", c.exportFeeds, signedIn},

		// Nhật ký: the audit log, with filters (audit.go).
		{"GET /nhat-ky", c.audit, signedIn},

		// Quản trị viên: the admins, invites for new ones, adding one by user id (as
		// loa admins add), removal (admins.go).
		{"GET /quan-tri", c.admins, signedIn},
		{"POST /quan-tri/moi", c.invite, signedIn},
		{"POST /quan-tri/them", c.addAdmin(), signedIn},
		{"POST /quan-tri/xoa", c.removeAdmin(), signedIn},
	}
}

// routes adds the site map to mux, each handler behind the check its access asks for.
func (c *Console) routes(mux *http.ServeMux) {
	for _, rt := range c.siteMap() {
		switch rt.access {
		case open:
			mux.Handle(rt.pattern, rt.handler)
		case quiet:
			mux.Handle(rt.pattern, c.authQuiet(rt.handler))
		default:
			mux.Handle(rt.pattern, c.auth(rt.handler))
		}
	}
}

// cancelAnnouncement: POST /thong-bao/{id}/huy stops an announcement's future runs
// (a draft is discarded), then shows it; a refusal shows on its page.
func (c *Console) cancelAnnouncement() http.HandlerFunc {
	return cancelOn(c, "thông báo", "/thong-bao/", "announcement", "announcements",
		func(ctx context.Context, a admin.Actor, id int64) error {
			_, err := c.Ops.CancelAnnouncement(ctx, a, id)
			return err
		}, c.loadAnnouncement)
}

// cancelBroadcast: POST /ban-tin/{id}/huy stops a broadcast's pending deliveries,
// then shows it; a refusal shows on its page.
func (c *Console) cancelBroadcast() http.HandlerFunc {
	return cancelOn(c, "bản tin", "/ban-tin/", "broadcast", "broadcasts",
		func(ctx context.Context, a admin.Actor, id int64) error {
			_, err := c.Ops.CancelBroadcast(ctx, a, id)
			return err
		}, c.loadBroadcast)
}
