package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"loa/admin"
	"loa/store"
)

// Session lifetimes (issue 11): a session ends after IdleTimeout without a page the
// admin asked for, and IdleTimeout or not after MaxLifetime; live progress polling
// does not count as activity.
const (
	IdleTimeout = 12 * time.Hour
	MaxLifetime = 7 * 24 * time.Hour
	// LinkLifetime is how long a sign-in link may wait for its button.
	LinkLifetime = 10 * time.Minute
)

// Failed sign-ins (unknown, used or expired links) allowed per client address in a
// window; beyond, the address is refused until the window ends.
const (
	failureWindow = 15 * time.Minute
	maxFailures   = 10
)

// maxFormBytes bounds a form's body; maxUploadBytes a file import's.
const (
	maxFormBytes   = 64 << 10
	maxUploadBytes = 2 << 20
)

// csrfField is the hidden field every form carries.
const csrfField = "csrf"

// session is the signed-in admin of a request.
type session struct {
	store.WebSession
	idHash []byte
	// Name is the admin's name as the admins table has it ("" for LOA_ADMINS).
	Name string
}

// Actor is the admin as the audit log names them ("telegram:1001").
func (s *session) Actor() string { return s.Who.String() }

// actor is the admin acting through the console, for the admin operations layer.
func (s *session) actor() admin.Actor {
	return admin.Actor{Channel: string(s.Who.Channel), UserID: s.Who.UserID, Name: s.Name, Via: admin.ViaWeb}
}

type sessionKey struct{}

func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// newSecret returns 256 random bits, URL-safe, and their hash (what the store keeps).
func newSecret() (secret string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, hashSecret(secret)
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func (c *Console) secure() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// cookieName is the session cookie's name: with __Host- under https, so that no
// sibling domain can set or shadow it.
func (c *Console) cookieName() string {
	if c.secure() {
		return "__Host-loa_session"
	}
	return "loa_session"
}

func (c *Console) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(), Value: id, Path: "/", HttpOnly: true,
		Secure: c.secure(), SameSite: http.SameSiteLaxMode, MaxAge: int(MaxLifetime / time.Second)})
}

func (c *Console) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: c.secure(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// auth runs h for a signed-in admin, touching the session's idle expiry.
func (c *Console) auth(h http.HandlerFunc) http.Handler { return c.authWith(h, true) }

// authQuiet runs h for a signed-in admin without counting the request as activity
// (live progress): a page left open must not keep a session alive.
func (c *Console) authQuiet(h http.HandlerFunc) http.Handler { return c.authWith(h, false) }

// authWith finds the request's session, checks that its admin still is one, and, for
// a POST, its CSRF token; any failure ends with a page that says what to do, never
// with h.
func (c *Console) authWith(h http.HandlerFunc, touch bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(c.cookieName())
		if err != nil || ck.Value == "" {
			c.notSignedIn(w, r, "")
			return
		}
		now := c.now()
		idHash := hashSecret(ck.Value)
		ws, err := c.Store.WebSession(r.Context(), idHash, now, touch, now.Add(IdleTimeout))
		if errors.Is(err, store.ErrNotFound) {
			c.clearSessionCookie(w)
			c.notSignedIn(w, r, "Phiên đăng nhập không còn hiệu lực (đã hết hạn, đã đăng xuất hoặc không hợp lệ).")
			return
		}
		if err != nil {
			c.failed(w, r, "web session", err)
			return
		}
		ok, err := c.IsAdmin(r.Context(), string(ws.Who.Channel), ws.Who.UserID)
		if err != nil {
			c.failed(w, r, "admin check", err)
			return
		}
		if !ok {
			// Removed: every session of theirs ends now, on every replica.
			if _, err := c.Store.EndWebSessionsOf(r.Context(), ws.Who); err != nil {
				c.log().Error("end sessions of a removed admin", slog.String("admin", ws.Who.String()), slog.String("error", err.Error()))
			}
			c.clearSessionCookie(w)
			c.render(w, r, http.StatusForbidden, "message", message{Title: "Không còn quyền quản trị",
				Text: "Tài khoản này không còn là quản trị viên của loa, nên phiên đăng nhập đã kết thúc."})
			return
		}
		s := &session{WebSession: ws, idHash: idHash, Name: c.adminName(r.Context(), ws.Who)}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, s))
		if r.Method == http.MethodPost {
			if !c.parseForm(w, r) {
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(ws.CSRF)) != 1 {
				c.render(w, r, http.StatusForbidden, "message", message{Title: "Biểu mẫu không hợp lệ",
					Text: "Biểu mẫu này thiếu mã bảo vệ hoặc mã đã cũ (có thể do mở từ trang khác hay từ phiên đăng nhập trước). " +
						"Không có gì được thay đổi. Hãy tải lại trang rồi làm lại.", Back: "/"})
				return
			}
		}
		h(w, r)
	})
}

// parseForm reads a POST body within its bound: a file import may be larger.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		err = r.ParseMultipartForm(maxUploadBytes)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		err = r.ParseForm()
	}
	if err != nil {
		c.render(w, r, http.StatusBadRequest, "message", message{Title: "Không đọc được biểu mẫu",
			Text: "Nội dung gửi lên quá lớn hoặc không đúng dạng. Không có gì được thay đổi.", Back: "/"})
		return false
	}
	return true
}

func (c *Console) adminName(ctx context.Context, who store.WebIdentity) string {
	as, err := c.Store.Admins(ctx)
	if err != nil {
		return ""
	}
	for _, a := range as {
		if a.Channel == who.Channel && a.UserID == who.UserID {
			return a.Name
		}
	}
	return ""
}

// notSignedIn answers a request without a live session: a page saying how to sign in
// (401, so a script polling progress stops).
func (c *Console) notSignedIn(w http.ResponseWriter, r *http.Request, why string) {
	c.render(w, r, http.StatusUnauthorized, "signin-help", signInHelp{Why: why})
}

// signInHelp is what the page for visitors without a session says.
type signInHelp struct {
	Why, Done string
}

// signedOutPage: GET /dang-nhap, where sign-out and expired sessions lead.
func (c *Console) signedOutPage(w http.ResponseWriter, r *http.Request) {
	var d signInHelp
	if r.URL.Query().Has("da-dang-xuat") {
		d.Done = "Bạn đã đăng xuất."
	}
	c.render(w, r, http.StatusOK, "signin-help", d)
}

// signInLinkPage is the page of a valid link: one button, whose POST uses it.
type signInLinkPage struct {
	Token string
}

// linkRefusal is what a link that cannot be used gets: status and words.
func linkRefusal(state store.LinkState) (int, message) {
	const ask = " Hãy gửi /web (Telegram) hoặc web (Zalo) cho bot trong tin nhắn riêng để nhận liên kết mới."
	switch state {
	case store.LinkUsed:
		return http.StatusGone, message{Title: "Liên kết đã được dùng",
			Text: "Mỗi liên kết đăng nhập chỉ dùng được một lần, và liên kết này đã được dùng." + ask}
	case store.LinkExpired:
		return http.StatusGone, message{Title: "Liên kết đã hết hạn",
			Text: "Liên kết đăng nhập chỉ dùng được trong 10 phút sau khi bot gửi." + ask}
	}
	return http.StatusNotFound, message{Title: "Liên kết không hợp lệ",
		Text: "Liên kết này không phải liên kết đăng nhập của loa (có thể bị chép thiếu)." + ask}
}

// linkUsable reports whether a sign-in link's lookup (op) found it usable; otherwise it
// has answered: the failure page, or the link's refusal, counted against the client.
func (c *Console) linkUsable(w http.ResponseWriter, r *http.Request, op string, state store.LinkState, err error) bool {
	if err != nil {
		c.failed(w, r, op, err)
		return false
	}
	if state != store.LinkValid {
		c.countFailure(r)
		status, m := linkRefusal(state)
		c.render(w, r, status, "message", m)
		return false
	}
	return true
}

// signInPage: GET /dang-nhap/{token} shows the button and uses nothing, so a chat
// app's link preview cannot burn the link.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if c.limited(w, r) {
		return
	}
	token := r.PathValue("token")
	_, state, err := c.Store.SignInLink(r.Context(), hashSecret(token), c.now())
	if !c.linkUsable(w, r, "sign-in link", state, err) {
		return
	}
	c.render(w, r, http.StatusOK, "signin", signInLinkPage{Token: token})
}

// signIn: POST /dang-nhap/{token} uses the link once and opens a session.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if c.limited(w, r) {
		return
	}
	now := c.now()
	who, state, err := c.Store.UseSignInLink(r.Context(), hashSecret(r.PathValue("token")), now)
	if !c.linkUsable(w, r, "use sign-in link", state, err) {
		return
	}
	ok, err := c.IsAdmin(r.Context(), string(who.Channel), who.UserID)
	if err != nil {
		c.failed(w, r, "admin check", err)
		return
	}
	if !ok {
		c.countFailure(r)
		c.log().Warn("sign-in link of a non-admin refused", slog.String("user", who.String()))
		c.render(w, r, http.StatusForbidden, "message", message{Title: "Không phải quản trị viên",
			Text: "Liên kết này thuộc về một tài khoản không phải quản trị viên của loa, nên không đăng nhập được."})
		return
	}
	id, idHash := newSecret()
	csrf, _ := newSecret()
	ws := store.WebSession{Who: who, CSRF: csrf, CreatedAt: now, IdleUntil: now.Add(IdleTimeout), ExpiresAt: now.Add(MaxLifetime)}
	if err := c.Store.CreateWebSession(r.Context(), idHash, ws); err != nil {
		c.failed(w, r, "create session", err)
		return
	}
	if err := c.Store.As(store.Actor{ID: who.String(), Via: store.ViaWeb}).Record(r.Context(), "web.signin", "", "client "+c.clientAddr(r)); err != nil {
		c.log().Error("audit sign-in", slog.String("error", err.Error()))
	}
	c.setSessionCookie(w, id)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signOut: POST /dang-xuat ends the session.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if err := c.Store.EndWebSession(r.Context(), s.idHash); err != nil {
		c.failed(w, r, "sign out", err)
		return
	}
	if err := c.Store.As(store.Actor{ID: s.Actor(), Via: store.ViaWeb}).Record(r.Context(), "web.signout", "", ""); err != nil {
		c.log().Error("audit sign-out", slog.String("error", err.Error()))
	}
	c.clearSessionCookie(w)
	http.Redirect(w, r, "/dang-nhap?da-dang-xuat", http.StatusSeeOther)
}

// limited refuses a client over its failed sign-ins.
func (c *Console) limited(w http.ResponseWriter, r *http.Request) bool {
	n, err := c.Store.SignInFailures(r.Context(), c.clientAddr(r), c.now(), failureWindow)
	if err != nil {
		c.failed(w, r, "sign-in failures", err)
		return true
	}
	if n < maxFailures {
		return false
	}
	w.Header().Set("Retry-After", "900")
	c.render(w, r, http.StatusTooManyRequests, "message", message{Title: "Quá nhiều lần thử",
		Text: "Từ địa chỉ này đã có quá nhiều liên kết đăng nhập không hợp lệ. Hãy đợi 15 phút rồi thử lại với một liên kết mới."})
	return true
}

func (c *Console) countFailure(r *http.Request) {
	client := c.clientAddr(r)
	n, err := c.Store.CountSignInFailure(r.Context(), client, c.now(), failureWindow)
	if err != nil {
		c.log().Error("count sign-in failure", slog.String("error", err.Error()))
		return
	}
	if n == maxFailures {
		c.log().Warn("sign-in refused from a client after repeated failures", slog.String("client", client), slog.Int("failures", n))
	}
}

// clientAddr is the address a request comes from: its peer, or, when the peer is a
// trusted proxy, the nearest address in X-Forwarded-For that is not one (walking from
// the right: each proxy appends the address it saw, and only the trusted ones' entries
// can be believed; a client can write anything on the left).
func (c *Console) clientAddr(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := ap.Addr().Unmap()
	if !c.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: the last believable address is the one we have
		}
		addr = a.Unmap()
		if !c.trusted(addr) {
			break
		}
	}
	return addr.String()
}

func (c *Console) trusted(a netip.Addr) bool {
	for _, p := range c.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
