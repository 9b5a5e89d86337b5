package feeds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Fetcher defaults.
const (
	// DefaultUserAgent is sent when FetcherOptions.UserAgent is empty.
	DefaultUserAgent = "loa/1.0 (+RSS announcement broadcaster)"
	// DefaultMaxBytes bounds a feed body when FetcherOptions.MaxBytes is 0.
	DefaultMaxBytes int64 = 10 << 20
	// DefaultTimeout bounds a request when FetcherOptions.Timeout is 0.
	DefaultTimeout = 30 * time.Second
	// maxRedirects is how many redirects a fetch follows.
	maxRedirects = 10
	// maxRetryAfter caps StatusError.RetryAfter: a server asking for a
	// longer pause is most likely misconfigured.
	maxRetryAfter = 7 * 24 * time.Hour
)

// acceptHeader prefers feed types but takes anything: many servers label
// feeds text/html or application/octet-stream.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, " +
	"application/json;q=0.8, */*;q=0.5"

// ErrTooLarge is returned (wrapped, with the limit in the message) when a
// feed body exceeds FetcherOptions.MaxBytes.
var ErrTooLarge = errors.New("feed body too large")

// FetcherOptions configure a Fetcher; the zero value is usable.
type FetcherOptions struct {
	// Client makes the requests; nil means a client of the Fetcher's own.
	// The Fetcher uses a copy, so the caller's client is left untouched.
	Client *http.Client
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string
	// MaxBytes bounds the (decompressed) body; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Timeout bounds each request including reading the body; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Fetcher downloads and parses feeds with conditional GET, redirect
// tracking and size and time limits. It is safe for concurrent use.
type Fetcher struct {
	client    *http.Client
	userAgent string
	maxBytes  int64
	timeout   time.Duration
}

// NewFetcher returns a Fetcher configured by o.
func NewFetcher(o FetcherOptions) *Fetcher {
	var c http.Client
	if o.Client != nil {
		c = *o.Client
	} else {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if st, ok := req.Context().Value(redirectKey{}).(*redirectState); ok {
			if req.Response == nil || (req.Response.StatusCode != http.StatusMovedPermanently &&
				req.Response.StatusCode != http.StatusPermanentRedirect) {
				st.temporary = true
			}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	f := &Fetcher{
		client:    &c,
		userAgent: o.UserAgent,
		maxBytes:  o.MaxBytes,
		timeout:   o.Timeout,
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	return f
}

// redirectKey carries a *redirectState in a request's context, so the one
// CheckRedirect function can record each fetch's redirect chain.
type redirectKey struct{}

type redirectState struct {
	temporary bool // some hop was not 301 or 308
}

// Request is one feed to fetch, with the validators stored from the last
// successful fetch.
type Request struct {
	// URL is the feed's absolute http(s) URL; it may carry user:password,
	// which never appears in error messages.
	URL string
	// ETag and LastModified are the validators of the last 200 (or 304),
	// sent as If-None-Match and If-Modified-Since when not empty.
	ETag         string
	LastModified string
}

// Result is the outcome of a successful fetch.
type Result struct {
	// NotModified reports a 304 answer: nothing was parsed, Feed is nil.
	NotModified bool
	// Feed is the parsed feed unless NotModified.
	Feed *Feed
	// ETag and LastModified are the validators to send next time. On a 304
	// that repeats none, the request's validators are kept.
	ETag, LastModified string
	// URL is the URL to store from now on: the final URL when every
	// redirect hop was permanent (301 or 308), else the request URL.
	URL string
	// Redirected reports that URL differs from the request URL because of
	// permanent redirects.
	Redirected bool
}

// StatusError is an HTTP answer other than 2xx or 304 (404, 410, 429, 503...).
type StatusError struct {
	// StatusCode is the final response's HTTP status.
	StatusCode int
	// RetryAfter is the server's Retry-After (seconds or HTTP date,
	// relative to the now passed to Fetch), at most a week; 0 if absent.
	RetryAfter time.Duration
}

// Error implements error.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return strings.TrimSpace(msg)
}

// Temporary reports whether trying again later may succeed: 408, 425, 429
// and 5xx. Other statuses (404, 410, 401...) need someone to fix the URL.
func (e *StatusError) Temporary() bool {
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return e.StatusCode >= 500
}

// Fetch downloads r.URL and parses it. now is the clock reading used for
// Retry-After dates and for items without a date.
//
// Errors: *StatusError for HTTP statuses other than 2xx and 304,
// ErrTooLarge when the body exceeds the limit, ErrNotFeed or ErrMalformed
// from Parse, and transport errors (DNS, TLS, timeouts, which wrap
// context.DeadlineExceeded). Every message starts with "fetch <url>:"
// (or "parse <url>:") where the URL is redacted (RedactURL), and any other URL in
// it too (a redirect's Location, say): messages are shown to admins and stored.
func (f *Fetcher) Fetch(ctx context.Context, r Request, now time.Time) (*Result, error) {
	res, err := f.fetch(ctx, r, now)
	if err != nil {
		if msg := RedactText(err.Error()); msg != err.Error() {
			err = &redactedError{msg: msg, err: err}
		}
		return nil, err
	}
	return res, nil
}

// redactedError is an error whose message had credentials removed; errors.Is and
// errors.As still see the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (f *Fetcher) fetch(ctx context.Context, r Request, now time.Time) (*Result, error) {
	u, err := url.Parse(strings.TrimSpace(r.URL))
	if err != nil || !isHTTPURL(u) {
		return nil, fmt.Errorf("fetch %q: not an absolute http(s) URL", RedactURL(strings.TrimSpace(r.URL)))
	}
	shown := RedactURL(u.String())

	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	st := &redirectState{}
	ctx = context.WithValue(ctx, redirectKey{}, st)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", shown, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", acceptHeader)
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.transportError(ctx, shown, err)
	}
	defer resp.Body.Close()

	res := &Result{URL: r.URL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	final := resp.Request.URL
	if !st.temporary && final.String() != u.String() {
		res.URL = final.String()
		res.Redirected = true
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = r.ETag
		}
		if res.LastModified == "" {
			res.LastModified = r.LastModified
		}
		return res, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("fetch %s: %w", shown, &StatusError{
			StatusCode: resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
		})
	}

	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("fetch %s: %w: Content-Length %d exceeds the %s limit",
			shown, ErrTooLarge, resp.ContentLength, formatBytes(f.maxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, f.transportError(ctx, shown, fmt.Errorf("reading body: %w", err))
	}
	if int64(len(body)) > f.maxBytes {
		return nil, fmt.Errorf("fetch %s: %w: body exceeds the %s limit",
			shown, ErrTooLarge, formatBytes(f.maxBytes))
	}

	feed, err := parse(body, final.String(), now, contentTypeCharset(resp.Header.Get("Content-Type")))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", RedactURL(final.String()), err)
	}
	res.Feed = feed
	return res, nil
}

// transportError words a failed request. The *url.Error that net/http
// returns is unwrapped because its message holds the URL with the user name.
func (f *Fetcher) transportError(ctx context.Context, shown string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("fetch %s: timed out (limit %s): %w", shown, f.timeout, err)
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return fmt.Errorf("fetch %s: TLS certificate not accepted: %w", shown, err)
	}
	return fmt.Errorf("fetch %s: %w", shown, err)
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0
	case d > maxRetryAfter:
		return maxRetryAfter
	}
	return d
}

func contentTypeCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return params["charset"]
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
