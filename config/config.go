// Package config reads loa's configuration from the environment once, validates it and
// hands plain values to the rest of the program. Nothing else reads the environment.
package config

import (
	"errors"
	"fmt"
	"net"
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
	// FeedMaxFailures disables a feed after this many consecutive failed polls.
	FeedMaxFailures int
	// FeedTimeout bounds one feed request.
	FeedTimeout time.Duration
	// FeedMaxBytes caps a feed response body.
	FeedMaxBytes int64
}

// Default values, shared with the README's reference table.
const (
	DefaultTimezone        = "Asia/Ho_Chi_Minh"
	DefaultHTTPAddr        = ":8080"
	DefaultFeedMaxAnnounce = 5
	DefaultFeedMaxFailures = 10
	DefaultFeedTimeout     = 30 * time.Second
	DefaultFeedMaxBytes    = 10 << 20
)

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
		FeedTimeout:     r.duration("LOA_FEED_TIMEOUT", DefaultFeedTimeout, time.Second),
		FeedMaxBytes:    int64(r.intIn("LOA_FEED_MAX_BYTES", DefaultFeedMaxBytes, 1024, 1<<30)),
	}
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
