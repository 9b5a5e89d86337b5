// Package config reads loa's configuration from the environment once, validates it and
// hands plain values to the rest of the program. Nothing else reads the environment.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone data inside the binary: the container image has no /usr/share/zoneinfo
)

// Config is loa's whole configuration.
type Config struct {
	// DatabaseURL is the PostgreSQL URL (secret: it may carry a password).
	DatabaseURL string
	// Location is the zone in which dates and schedules are read.
	Location *time.Location
	// HTTPAddr is where /healthz, /readyz and /metrics listen.
	HTTPAddr string
	// LogFormat is "text" or "json".
	LogFormat string
	// LogLevel is the minimum level logged.
	LogLevel string
	// FeedBacklog is how many of a new feed's newest items its first poll announces.
	FeedBacklog int
	// FeedMaxAnnounce bounds the items one poll announces; the rest are recorded as seen.
	FeedMaxAnnounce int
	// FeedMaxPerDay bounds the items one feed announces per day (in Location); the
	// rest are recorded as seen and the admins told once that day. 0: no cap.
	FeedMaxPerDay int
	// FeedMaxFailures disables a feed after this many consecutive failed polls.
	FeedMaxFailures int
	// FeedTimeout bounds one feed request.
	FeedTimeout time.Duration
	// FeedMaxBytes caps a feed response body.
	FeedMaxBytes int64
	// DeliveryMaxAge: a delivery still failing transiently this long after its
	// broadcast was created is given up.
	DeliveryMaxAge time.Duration
	// DeliveryLease is how long a replica's claim on a delivery lasts: after a crash,
	// the deliveries it held are sent by another replica (or after the restart) once
	// this has passed.
	DeliveryLease time.Duration
	// StallLimit: /healthz fails when a loop of the replica (delivery, leadership,
	// inbound updates) has not completed an iteration for this long.
	StallLimit time.Duration
	// DBTimeout bounds how long a database call without a deadline of its own waits in
	// silence for an answer before its connection is taken for dead and dropped.
	DBTimeout time.Duration
	// SendTimeout bounds one send to a messenger. A delivery's lease must cover a send
	// and the recording of its outcome, so DeliveryLease is at least twice this.
	SendTimeout time.Duration
	// Admins are the Telegram user ids of loa's administrators.
	Admins []int64

	// AdminChat is a Telegram chat id that receives the admins' alerts instead of each
	// admin's private chat ("" for the private chats).
	AdminChat string
	// AnnounceGrace is how late a scheduled announcement may still go out after the
	// service was down; later runs are recorded as missed and the admins are told.
	AnnounceGrace time.Duration

	// Retention is how long finished per-recipient delivery rows and item bodies are
	// kept (LOA_RETENTION, default 90d); counts, broadcasts and item identities stay.
	Retention time.Duration
	// AuditRetention is how long audit log entries are kept (LOA_AUDIT_RETENTION,
	// default 730d).
	AuditRetention time.Duration

	// NoticeHour and NoticeMinute are when, each day in Location, the day's
	// commemorative notices go out (LOA_NOTICE_TIME, default 07:00).
	NoticeHour, NoticeMinute int

	// PublicURL is where admins reach the web console (LOA_PUBLIC_URL, e.g.
	// https://loa.example.vn), without a trailing slash; "" when unset, and then no
	// sign-in link can be made. Its scheme decides the session cookie's Secure flag.
	PublicURL string
	// TrustedProxies are the proxies whose X-Forwarded-For the web console believes
	// (LOA_TRUSTED_PROXIES: addresses or CIDR ranges); a request from anywhere else is
	// judged by its own address.
	TrustedProxies []netip.Prefix

	// Telegram is the Telegram channel; Token is empty when it is off.
	Telegram Telegram
	// Zalo is the Zalo Bot Platform channel; Token is empty when it is off.
	Zalo Zalo

	// Warnings are accepted settings worth changing (each naming its variable, never a
	// secret's value); the service logs them at start.
	Warnings []string
}

// Zalo configures the Zalo Bot Platform channel.
type Zalo struct {
	// Token is the bot token from Zalo Bot Creator (secret).
	Token string
	// APIBase is the API's base URL; requests go to {APIBase}/bot{token}/{method}.
	APIBase string
	// WebhookURL, when set, switches inbound updates from long polling to a webhook.
	WebhookURL string
	// WebhookSecret is the secret_token Zalo sends back in X-Bot-Api-Secret-Token
	// (secret; 8 to 256 characters, Zalo's own minimum; below MinWebhookSecret a
	// warning). When unset it is derived from the token.
	WebhookSecret string
	// Rate is the bot's overall sending rate in messages per second.
	Rate float64
}

// Telegram configures the Telegram channel.
type Telegram struct {
	// Token is the bot token (secret).
	Token string
	// APIEndpoint is the Bot API URL pattern in go-telegram-bot-api's format, with %s
	// for the token and then the method.
	APIEndpoint string
	// WebhookURL, when set, switches inbound updates from long polling to a webhook.
	WebhookURL string
	// WebhookSecret is the secret_token Telegram sends back in every webhook request
	// (secret; at least MinWebhookSecret characters). When unset it is derived from
	// the token, so that every replica agrees.
	WebhookSecret string
	// Rate is the bot's overall sending rate in messages per second, shared by all
	// replicas.
	Rate float64
}

// Default values, shared with the README's reference table.
const (
	DefaultTimezone        = "Asia/Ho_Chi_Minh"
	DefaultHTTPAddr        = ":8080"
	DefaultFeedMaxAnnounce = 5
	DefaultFeedMaxFailures = 10
	DefaultFeedMaxPerDay   = 50
	DefaultFeedTimeout     = 30 * time.Second
	DefaultFeedMaxBytes    = 10 << 20
	DefaultDeliveryMaxAge  = 24 * time.Hour
	DefaultDeliveryLease   = time.Minute
	DefaultStallLimit      = 60 * time.Second
	DefaultDBTimeout       = 30 * time.Second
	DefaultSendTimeout     = 30 * time.Second
	DefaultTelegramAPI     = "https://api.telegram.org/bot%s/%s"
	DefaultTelegramRate    = 25
	DefaultZaloAPI         = "https://bot-api.zaloplatforms.com"
	DefaultZaloRate        = 10
	DefaultNoticeTime      = "07:00"
	DefaultAnnounceGrace   = time.Hour
	DefaultRetention       = 90 * 24 * time.Hour
	DefaultAuditRetention  = 730 * 24 * time.Hour
)

// MinWebhookSecret is the shortest webhook secret loa takes for Telegram, and below
// which it warns for Zalo (whose own minimum is 8). The secret is the only proof of who
// sent an update: a guessed one lets anyone forge an admin's /announce and its
// confirmation. 32 characters of A-Z, a-z, 0-9, _ and - are about 190 bits; the
// derived default has 64.
const MinWebhookSecret = 32

// Load reads the configuration through getenv (os.Getenv in production) and readFile
// (os.ReadFile) for NAME_FILE secrets. It reports every problem at once, each naming its
// variable, and never echoes a secret's value.
func Load(getenv func(string) string, readFile func(string) ([]byte, error)) (Config, error) {
	r := reader{getenv: getenv, readFile: readFile}
	c := Config{
		DatabaseURL:     r.secret("LOA_DATABASE_URL"),
		HTTPAddr:        r.str("LOA_HTTP_ADDR", DefaultHTTPAddr),
		LogFormat:       r.str("LOA_LOG_FORMAT", "text"),
		LogLevel:        r.str("LOA_LOG_LEVEL", "info"),
		FeedBacklog:     r.intIn("LOA_FEED_BACKLOG", 0, 0, 1000),
		FeedMaxAnnounce: r.intIn("LOA_FEED_MAX_ANNOUNCE", DefaultFeedMaxAnnounce, 1, 1000),
		FeedMaxFailures: r.intIn("LOA_FEED_MAX_FAILURES", DefaultFeedMaxFailures, 0, 1_000_000),
		FeedMaxPerDay:   r.intIn("LOA_FEED_MAX_PER_DAY", DefaultFeedMaxPerDay, 0, 100_000),
		FeedTimeout:     r.duration("LOA_FEED_TIMEOUT", DefaultFeedTimeout, time.Second),
		FeedMaxBytes:    int64(r.intIn("LOA_FEED_MAX_BYTES", DefaultFeedMaxBytes, 1024, 1<<30)),
		DeliveryMaxAge:  r.duration("LOA_DELIVERY_MAX_AGE", DefaultDeliveryMaxAge, time.Minute),
		DeliveryLease:   r.duration("LOA_DELIVERY_LEASE", DefaultDeliveryLease, time.Second),
		StallLimit:      r.duration("LOA_STALL_LIMIT", DefaultStallLimit, time.Second),
		DBTimeout:       r.duration("LOA_DB_TIMEOUT", DefaultDBTimeout, time.Second),
		SendTimeout:     r.duration("LOA_SEND_TIMEOUT", DefaultSendTimeout, time.Second),
		Admins:          r.ids("LOA_ADMINS"),
		Telegram: Telegram{
			Token:         r.secret("LOA_TELEGRAM_TOKEN"),
			APIEndpoint:   r.str("LOA_TELEGRAM_API_ENDPOINT", DefaultTelegramAPI),
			WebhookURL:    r.str("LOA_TELEGRAM_WEBHOOK_URL", ""),
			WebhookSecret: r.secret("LOA_TELEGRAM_WEBHOOK_SECRET"),
			Rate:          r.rate("LOA_TELEGRAM_RATE", DefaultTelegramRate),
		},
	}
	c.Zalo = Zalo{
		Token:         r.secret("LOA_ZALO_TOKEN"),
		APIBase:       strings.TrimRight(r.str("LOA_ZALO_API_BASE", DefaultZaloAPI), "/"),
		WebhookURL:    r.str("LOA_ZALO_WEBHOOK_URL", ""),
		WebhookSecret: r.secret("LOA_ZALO_WEBHOOK_SECRET"),
		Rate:          r.rate("LOA_ZALO_RATE", DefaultZaloRate),
	}
	c.NoticeHour, c.NoticeMinute = r.clock("LOA_NOTICE_TIME", DefaultNoticeTime)
	c.AnnounceGrace = r.duration("LOA_ANNOUNCE_GRACE", DefaultAnnounceGrace, time.Minute)
	c.Retention = r.days("LOA_RETENTION", DefaultRetention)
	c.AuditRetention = r.days("LOA_AUDIT_RETENTION", DefaultAuditRetention)
	if c.Retention <= c.DeliveryMaxAge && !r.failed("LOA_RETENTION") {
		// A delivery may retry until LOA_DELIVERY_MAX_AGE; its history must outlast that.
		r.fail("LOA_RETENTION", "%s: must be longer than LOA_DELIVERY_MAX_AGE (%s)", c.Retention, c.DeliveryMaxAge)
	}
	if chat := r.str("LOA_ADMIN_CHAT", ""); chat != "" {
		if _, err := strconv.ParseInt(chat, 10, 64); err != nil {
			r.fail("LOA_ADMIN_CHAT", "%q: want a Telegram chat id, a number such as -1001234567890", chat)
		} else {
			c.AdminChat = chat
		}
	}
	// A lease shorter than a send and its recording lets a slow answer's delivery be
	// claimed and sent again while the first send is still waiting for its answer.
	if !r.failed("LOA_DELIVERY_LEASE") && !r.failed("LOA_SEND_TIMEOUT") && c.DeliveryLease < 2*c.SendTimeout {
		r.fail("LOA_DELIVERY_LEASE", "%s is shorter than twice LOA_SEND_TIMEOUT (%s): a delivery could be sent again while its first send still waits for an answer",
			c.DeliveryLease, c.SendTimeout)
	}
	c.checkTelegram(&r)
	c.checkZalo(&r)
	c.PublicURL = c.checkPublicURL(&r, r.str("LOA_PUBLIC_URL", ""))
	c.TrustedProxies = r.prefixes("LOA_TRUSTED_PROXIES")
	tz := r.str("LOA_TIMEZONE", DefaultTimezone)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		r.fail("LOA_TIMEZONE", "%q is not a known time zone (e.g. Asia/Ho_Chi_Minh)", tz)
	}
	c.Location = loc

	if c.DatabaseURL == "" && !r.failed("LOA_DATABASE_URL") {
		r.fail("LOA_DATABASE_URL", "is required, e.g. postgres://loa:PASSWORD@127.0.0.1:5432/loa")
	} else if c.DatabaseURL != "" && !validDatabaseURL(c.DatabaseURL) {
		r.fail("LOA_DATABASE_URL", "must be a postgres:// or postgresql:// URL")
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		r.fail("LOA_HTTP_ADDR", "%q is not host:port (e.g. :8080 or 127.0.0.1:8080)", c.HTTPAddr)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		r.fail("LOA_LOG_FORMAT", "%q: want text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		r.fail("LOA_LOG_LEVEL", "%q: want debug, info, warn or error", c.LogLevel)
	}
	if len(r.errs) > 0 {
		return Config{}, fmt.Errorf("invalid configuration:\n  %s", strings.Join(r.errs, "\n  "))
	}
	return c, nil
}

// checkTelegram validates the Telegram options that go together.
func (c *Config) checkTelegram(r *reader) {
	tg := &c.Telegram
	if strings.Count(tg.APIEndpoint, "%s") != 2 || !strings.HasPrefix(tg.APIEndpoint, "http") {
		r.fail("LOA_TELEGRAM_API_ENDPOINT", "%q: want a URL with %%s for the token and %%s for the method, like %s", tg.APIEndpoint, DefaultTelegramAPI)
	}
	if tg.Token != "" && !validToken(tg.Token) {
		r.fail("LOA_TELEGRAM_TOKEN", "does not look like a bot token (digits, a colon, then letters, digits, _ and -)")
	}
	r.checkWebhook("LOA_TELEGRAM", "Telegram", tg.WebhookURL, tg.Token)
	switch {
	case tg.WebhookSecret != "" && !validWebhookSecret(tg.WebhookSecret):
		r.fail("LOA_TELEGRAM_WEBHOOK_SECRET", "want %d to 256 characters of A-Z, a-z, 0-9, _ and -", MinWebhookSecret)
	case tg.WebhookSecret != "" && len(tg.WebhookSecret) < MinWebhookSecret:
		r.fail("LOA_TELEGRAM_WEBHOOK_SECRET", "too short (%d characters): want at least %d of A-Z, a-z, 0-9, _ and -, "+
			"or leave it unset to derive one from the token", len(tg.WebhookSecret), MinWebhookSecret)
	}
}

// checkWebhook validates a messenger's webhook URL (prefix_WEBHOOK_URL), when set: the
// messengers call webhooks over https only, and a webhook is of no use without the
// bot's token (prefix_TOKEN).
func (r *reader) checkWebhook(prefix, messenger, webhookURL, token string) {
	if webhookURL == "" {
		return
	}
	u, err := url.Parse(webhookURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		r.fail(prefix+"_WEBHOOK_URL", "%q: %s calls webhooks over https only; want https://host/path", webhookURL, messenger)
	}
	if token == "" {
		r.fail(prefix+"_WEBHOOK_URL", "is set but %s_TOKEN is not", prefix)
	}
}

// checkZalo validates the Zalo options that go together.
func (c *Config) checkZalo(r *reader) {
	z := &c.Zalo
	if u, err := url.Parse(z.APIBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.fail("LOA_ZALO_API_BASE", "%q: want a URL such as %s", z.APIBase, DefaultZaloAPI)
	}
	if z.Token != "" && (strings.ContainsAny(z.Token, " /?#") || len(z.Token) > 512) {
		r.fail("LOA_ZALO_TOKEN", "does not look like a bot token (no spaces, '/', '?' or '#')")
	}
	r.checkWebhook("LOA_ZALO", "Zalo", z.WebhookURL, z.Token)
	switch {
	case z.WebhookSecret != "" && (len(z.WebhookSecret) < 8 || !validWebhookSecret(z.WebhookSecret)):
		r.fail("LOA_ZALO_WEBHOOK_SECRET", "want 8 to 256 characters of A-Z, a-z, 0-9, _ and -")
	case z.WebhookSecret != "" && len(z.WebhookSecret) < MinWebhookSecret:
		c.Warnings = append(c.Warnings, fmt.Sprintf("LOA_ZALO_WEBHOOK_SECRET: only %d characters; use at least %d "+
			"(or leave it unset to derive one from the token): the secret is the only proof that an update comes from Zalo",
			len(z.WebhookSecret), MinWebhookSecret))
	}
}

// checkPublicURL validates LOA_PUBLIC_URL: an http(s) URL of the site's root, as the
// admins' browsers reach it (through the TLS proxy, when there is one).
func (c *Config) checkPublicURL(r *reader, s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		r.fail("LOA_PUBLIC_URL", "%q: want the address admins open in a browser, such as https://loa.example.vn", s)
		return ""
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "":
		r.fail("LOA_PUBLIC_URL", "%q: want the site's root, such as https://loa.example.vn (a path prefix is not supported: "+
			"give the console a host name of its own)", s)
		return ""
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		if ip, err := netip.ParseAddr(host); !(host == "localhost" || err == nil && ip.IsLoopback()) {
			c.Warnings = append(c.Warnings, "LOA_PUBLIC_URL: "+s+" is http, not https: sign-in links and session "+
				"cookies cross the network in clear; put the console behind a TLS proxy (docs/operations.md)")
		}
	}
	return u.Scheme + "://" + u.Host
}

func validToken(t string) bool {
	id, rest, ok := strings.Cut(t, ":")
	if !ok || id == "" || rest == "" {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return validWebhookSecret(rest)
}

func validWebhookSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// FromEnv loads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv, os.ReadFile) }

// validDatabaseURL accepts the URL form only: the keyword/value form cannot be told apart
// from a typo, and a URL is what every example shows.
func validDatabaseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && u.Host != ""
}

// reader collects every problem instead of stopping at the first.
type reader struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
	errs     []string
	bad      map[string]bool
}

func (r *reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, name+": "+fmt.Sprintf(format, args...))
	if r.bad == nil {
		r.bad = map[string]bool{}
	}
	r.bad[name] = true
}

func (r *reader) failed(name string) bool { return r.bad[name] }

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE (Docker and Kubernetes secrets),
// without a trailing newline. Setting both is an error: which one wins would be a guess.
func (r *reader) secret(name string) string {
	v, file := r.getenv(name), r.getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		r.fail(name, "set either %s or %s_FILE, not both", name, name)
		return ""
	case file != "":
		b, err := r.readFile(file)
		if err != nil {
			r.fail(name+"_FILE", "cannot read %s: %v", file, errors.Unwrap(err))
			return ""
		}
		return strings.TrimRight(string(b), "\r\n")
	}
	return v
}

func (r *reader) intIn(name string, def, lo, hi int) int {
	s := strings.TrimSpace(r.getenv(name))
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		r.fail(name, "%q: want a whole number from %d to %d", s, lo, hi)
		return def
	}
	return n
}

// ids reads a comma-separated list of integer user ids.
func (r *reader) ids(name string) []int64 {
	var ids []int64
	for _, f := range strings.Split(r.getenv(name), ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			r.fail(name, "%q is not a user id: want comma-separated numbers, e.g. 123456789,987654321", f)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// prefixes reads a comma-separated list of IP addresses or CIDR ranges; an address
// stands for itself alone.
func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(r.getenv(name), ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		r.fail(name, "%q is not an IP address or CIDR range: want e.g. 10.0.0.5,172.16.0.0/12", f)
	}
	return out
}

// clock reads a time of day as HH:MM.
func (r *reader) clock(name, def string) (hour, minute int) {
	s := r.str(name, def)
	t, err := time.Parse("15:04", s)
	if err != nil {
		r.fail(name, "%q: want a time of day as HH:MM, e.g. 07:00", s)
		t, _ = time.Parse("15:04", def)
	}
	return t.Hour(), t.Minute()
}

// rate reads messages per second: a positive number.
func (r *reader) rate(name string, def float64) float64 {
	s := strings.TrimSpace(r.getenv(name))
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 100000 {
		r.fail(name, "%q: want messages per second, a number above 0 (e.g. 25)", s)
		return def
	}
	return v
}

// days reads a retention period: whole days ("90d") or a Go duration of at least a day.
func (r *reader) days(name string, def time.Duration) time.Duration {
	s := strings.TrimSpace(r.getenv(name))
	if s == "" {
		return def
	}
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
		if days > 100*365 {
			err = strconv.ErrRange
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < 24*time.Hour {
		r.fail(name, "%q: want a number of days of at least 1, such as 90d", s)
		return def
	}
	return d
}

func (r *reader) duration(name string, def, lo time.Duration) time.Duration {
	s := strings.TrimSpace(r.getenv(name))
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < lo {
		r.fail(name, "%q: want a duration of at least %s, such as 30s or 2m", s, lo)
		return def
	}
	return d
}
