// Package web is the admins' console: server-rendered pages in Vietnamese, served by
// every replica beside /healthz, /readyz and /metrics. Admins sign in with a one-time
// link the bot sends them (no passwords); sessions live in PostgreSQL. The package
// translates between pages and loa's operations: it holds no rule and no SQL (reads go
// through package store, actions through the admin operations layer).
//
// Security, in one place (this file and auth.go): a Content-Security-Policy without
// inline script, a CSRF token tied to the session on every form, HttpOnly SameSite=Lax
// cookies (Secure under https), the admin's status checked on every request, failed
// sign-ins rate-limited per client address (the proxy's X-Forwarded-For believed only
// from LOA_TRUSTED_PROXIES).
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"loa/admin"
	"loa/chat"
	"loa/store"
)

//go:embed static
var staticFiles embed.FS

// Console serves the web console. Set its fields, then call Handler once.
type Console struct {
	Store *store.Store
	// Ops is the admin operations layer: every action goes through it.
	Ops *admin.Ops
	// Location is the zone of every date shown (LOA_TIMEZONE).
	Location *time.Location
	// Now is the clock (nil: time.Now); tests and screenshots fix it.
	Now func() time.Time
	// PublicURL is LOA_PUBLIC_URL ("" when unset); an https one makes cookies Secure.
	PublicURL string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// IsAdmin says whether a user is an admin now (LOA_ADMINS or the admins table); an
	// error is not a "no" (a database blip must not end every session).
	IsAdmin func(ctx context.Context, channel, userID string) (bool, error)
	// EnvAdmins are LOA_ADMINS (Telegram user ids), listed beside the database's admins.
	EnvAdmins []int64
	// Health, when set, describes each channel's state for the overview.
	Health func(ctx context.Context) []ChannelState
	// Log receives what went wrong (never a token).
	Log *slog.Logger
	// PageSize is the rows of a list page (0: 50); tests make it small.
	PageSize int

	pages *pages
}

// ChannelState is one channel's state as the overview shows it.
type ChannelState struct {
	Channel chat.Channel
	// On: the channel has a token and runs on this replica.
	On bool
	// Webhook: updates arrive by webhook (else by long polling).
	Webhook bool
	// PausedUntil is set while the channel waits out a 429, a quota or a refused
	// token; PauseReason says which.
	PausedUntil *time.Time
	PauseReason string
	// Queue is the deliveries waiting on the channel.
	Queue int
	// Stalled is set when the channel's delivery loop is stuck (as /healthz says).
	Stalled bool
}

func (c *Console) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Console) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func (c *Console) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// Handler returns the console's handler, for the replica's mux at "/".
func (c *Console) Handler() http.Handler {
	c.pages = mustParsePages(c.loc())
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))

	c.routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusNotFound, "message", message{Title: "Không có trang này",
			Text: "Địa chỉ này không dẫn tới trang nào của bảng điều khiển.", Back: "/"})
	})
	return secureHeaders(mux)
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere: scripts,
// styles and images come from the console itself (charts are SVG in the page).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets the headers every answer carries. No referrer leaves a page: a
// sign-in link in the address bar must not travel in a Referer.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Short: a new release's assets reach browsers within minutes.
		w.Header().Set("Cache-Control", "public, max-age=300")
		next.ServeHTTP(w, r)
	})
}
