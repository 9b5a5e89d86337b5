package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const smallFeed = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin nhanh</title>` +
	`<item><title>Bài một</title><link>bai-mot.html</link><guid>1</guid></item></channel></rss>`

// serve starts a test server running h and closes it when the test ends.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func fetch(t *testing.T, f *Fetcher, r Request) (*Result, error) {
	t.Helper()
	return f.Fetch(context.Background(), r, testNow)
}

func TestFetchOK(t *testing.T) {
	t.Parallel()
	headers := make(chan http.Header, 1)
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Wed, 03 Jul 2024 01:30:00 GMT")
		fmt.Fprint(w, smallFeed)
	})
	res, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: ts.URL + "/rss/tin.rss"})
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified || res.Feed == nil || res.Feed.Title != "Tin nhanh" {
		t.Fatalf("result %+v", res)
	}
	if want := ts.URL + "/rss/bai-mot.html"; res.Feed.Items[0].Link != want {
		t.Errorf("item link %q, want %q (resolved against the fetch URL)", res.Feed.Items[0].Link, want)
	}
	if res.ETag != `"v1"` || res.LastModified != "Wed, 03 Jul 2024 01:30:00 GMT" {
		t.Errorf("validators %q %q", res.ETag, res.LastModified)
	}
	if res.URL != ts.URL+"/rss/tin.rss" || res.Redirected {
		t.Errorf("URL %q redirected %v", res.URL, res.Redirected)
	}
	got := <-headers
	if ua := got.Get("User-Agent"); ua != DefaultUserAgent {
		t.Errorf("User-Agent %q", ua)
	}
	if a := got.Get("Accept"); !strings.Contains(a, "application/rss+xml") || !strings.Contains(a, "application/atom+xml") {
		t.Errorf("Accept %q", a)
	}
	if got.Get("If-None-Match") != "" || got.Get("If-Modified-Since") != "" {
		t.Errorf("conditional headers sent without validators: %v", got)
	}
}

func TestFetchUserAgent(t *testing.T) {
	t.Parallel()
	uas := make(chan string, 1)
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		uas <- r.UserAgent()
		fmt.Fprint(w, smallFeed)
	})
	f := NewFetcher(FetcherOptions{UserAgent: "loa-test/2.0"})
	if _, err := fetch(t, f, Request{URL: ts.URL}); err != nil {
		t.Fatal(err)
	}
	if ua := <-uas; ua != "loa-test/2.0" {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestFetchNotModified(t *testing.T) {
	t.Parallel()
	const etag, lastMod = `W/"abc"`, "Wed, 03 Jul 2024 01:30:00 GMT"
	tests := []struct {
		name           string
		req            Request
		repeat         bool // the 304 repeats the validators
		wantETag       string
		wantLastModifd string
	}{
		{"ETag", Request{ETag: etag}, false, etag, ""},
		{"ETag repeated", Request{ETag: etag}, true, etag, lastMod},
		{"Last-Modified", Request{LastModified: lastMod}, false, "", lastMod},
		{"both", Request{ETag: etag, LastModified: lastMod}, false, etag, lastMod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
				if inm != tt.req.ETag || ims != tt.req.LastModified {
					http.Error(w, "unexpected validators "+inm+" / "+ims, http.StatusBadRequest)
					return
				}
				if tt.repeat {
					w.Header().Set("ETag", etag)
					w.Header().Set("Last-Modified", lastMod)
				}
				w.WriteHeader(http.StatusNotModified)
			})
			req := tt.req
			req.URL = ts.URL
			res, err := fetch(t, NewFetcher(FetcherOptions{}), req)
			if err != nil {
				t.Fatal(err)
			}
			if !res.NotModified || res.Feed != nil {
				t.Errorf("result %+v, want NotModified without a feed", res)
			}
			if res.ETag != tt.wantETag || res.LastModified != tt.wantLastModifd {
				t.Errorf("validators %q %q, want %q %q", res.ETag, res.LastModified, tt.wantETag, tt.wantLastModifd)
			}
		})
	}
}

func TestFetchStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration
		temporary  bool
	}{
		{"404", http.StatusNotFound, "", 0, false},
		{"410", http.StatusGone, "", 0, false},
		{"429 seconds", http.StatusTooManyRequests, "120", 2 * time.Minute, true},
		{"503 HTTP date", http.StatusServiceUnavailable, testNow.Add(90 * time.Second).UTC().Format(http.TimeFormat), 90 * time.Second, true},
		{"503 date in the past", http.StatusServiceUnavailable, testNow.Add(-time.Hour).UTC().Format(http.TimeFormat), 0, true},
		{"429 garbage", http.StatusTooManyRequests, "soon", 0, true},
		{"429 huge", http.StatusTooManyRequests, "99999999999", maxRetryAfter, true},
		{"500", http.StatusInternalServerError, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
			})
			res, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: ts.URL + "/rss"})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("got %+v, %v; want a *StatusError", res, err)
			}
			if se.StatusCode != tt.status || se.RetryAfter != tt.want || se.Temporary() != tt.temporary {
				t.Errorf("got %+v temporary=%v, want %d %v %v", se, se.Temporary(), tt.status, tt.want, tt.temporary)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "fetch "+ts.URL+"/rss: HTTP "+strconv.Itoa(tt.status)) {
				t.Errorf("message %q", msg)
			}
		})
	}
}

func TestFetchRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		chain          []int // status of each hop before the final 200
		wantRedirected bool
	}{
		{"no redirect", nil, false},
		{"301", []int{301}, true},
		{"308 then 301", []int{308, 301}, true},
		{"302", []int{302}, false},
		{"307", []int{307}, false},
		{"301 then 302", []int{301, 302}, false},
		{"302 then 301", []int{302, 301}, false},
	}
	// One Fetcher for all parallel subtests: redirect tracking is per request.
	shared := NewFetcher(FetcherOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				hop, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
				if hop < len(tt.chain) {
					http.Redirect(w, r, fmt.Sprintf("/hop/%d", hop+1), tt.chain[hop])
					return
				}
				// No channel link: relative item links resolve against the
				// final URL.
				fmt.Fprint(w, smallFeed)
			})
			start := ts.URL + "/hop/0"
			res, err := fetch(t, shared, Request{URL: start})
			if err != nil {
				t.Fatal(err)
			}
			final := fmt.Sprintf("%s/hop/%d", ts.URL, len(tt.chain))
			wantURL := start
			if tt.wantRedirected {
				wantURL = final
			}
			if res.URL != wantURL || res.Redirected != tt.wantRedirected {
				t.Errorf("URL %q redirected %v, want %q %v", res.URL, res.Redirected, wantURL, tt.wantRedirected)
			}
			if want := ts.URL + "/hop/bai-mot.html"; res.Feed.Items[0].Link != want {
				t.Errorf("item link %q, want %q", res.Feed.Items[0].Link, want)
			}
		})
	}
}

func TestFetchTooManyRedirects(t *testing.T) {
	t.Parallel()
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusMovedPermanently)
	})
	_, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: ts.URL + "/"})
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Fatalf("error %v", err)
	}
}

func TestFetchCallerClient(t *testing.T) {
	t.Parallel()
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, smallFeed)
	})
	var mu sync.Mutex
	var seen []string
	client := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, req.URL.Path)
		return nil
	}}
	check := client.CheckRedirect
	res, err := fetch(t, NewFetcher(FetcherOptions{Client: client}), Request{URL: ts.URL + "/old"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Redirected || res.URL != ts.URL+"/new" {
		t.Errorf("result %+v", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "/new" {
		t.Errorf("caller's CheckRedirect saw %v", seen)
	}
	if fmt.Sprintf("%p", client.CheckRedirect) != fmt.Sprintf("%p", check) {
		t.Error("the caller's client was modified")
	}
}

func TestFetchTimeout(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before ts.Close
	f := NewFetcher(FetcherOptions{Timeout: 100 * time.Millisecond})
	_, err := fetch(t, f, Request{URL: ts.URL})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want a deadline error", err)
	}
	if want := "fetch " + ts.URL + ": timed out (limit 100ms)"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want prefix %q", err, want)
	}
}

func TestFetchSlowBody(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel>`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) })
	_, err := fetch(t, NewFetcher(FetcherOptions{Timeout: 100 * time.Millisecond}), Request{URL: ts.URL})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("error %v, want a timeout while reading the body", err)
	}
}

func TestFetchCanceled(t *testing.T) {
	t.Parallel()
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, smallFeed) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewFetcher(FetcherOptions{}).Fetch(ctx, Request{URL: ts.URL}, testNow)
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "timed out") {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestFetchTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 1024
	// A valid feed of exactly limit bytes.
	exact := smallFeed[:len(smallFeed)-len("</channel></rss>")]
	exact += "<!--" + strings.Repeat("x", limit-len(exact)-len("<!----></channel></rss>")) + "--></channel></rss>"
	if len(exact) != limit {
		t.Fatalf("exact feed has %d bytes", len(exact))
	}
	tests := []struct {
		name          string
		body          string
		contentLength bool
		wantErr       bool
	}{
		{"exactly the limit", exact, true, false},
		{"one byte over, Content-Length", exact + " ", true, true},
		{"one byte over, chunked", exact + " ", false, true},
		{"far over, chunked", strings.Repeat(exact, 100), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.contentLength {
					w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)))
				} else {
					w.(http.Flusher).Flush() // forces chunked encoding
				}
				fmt.Fprint(w, tt.body)
			})
			res, err := fetch(t, NewFetcher(FetcherOptions{MaxBytes: limit}), Request{URL: ts.URL})
			if !tt.wantErr {
				if err != nil || res.Feed == nil {
					t.Fatalf("got %+v, %v", res, err)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
			if !strings.Contains(err.Error(), "the 1 KiB limit") {
				t.Errorf("message %q does not state the limit", err)
			}
		})
	}
}

func gzipBytes(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchGzip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr error
	}{
		{"feed", smallFeed, nil},
		// 100 KiB of zeros compress to ~100 bytes; the limit applies to
		// what is decompressed.
		{"bomb", smallFeed + strings.Repeat("\x00", 100<<10), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
					http.Error(w, "gzip expected", http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(gzipBytes(t, tt.body))
			})
			res, err := fetch(t, NewFetcher(FetcherOptions{MaxBytes: 64 << 10}), Request{URL: ts.URL})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || res.Feed.Title != "Tin nhanh" {
				t.Fatalf("got %+v, %v", res, err)
			}
		})
	}
}

func TestFetchTLS(t *testing.T) {
	t.Parallel()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, smallFeed) }))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	ts.StartTLS()
	t.Cleanup(ts.Close)

	_, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: ts.URL + "/rss"})
	if err == nil {
		t.Fatal("self-signed certificate accepted")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "fetch "+ts.URL+"/rss: TLS certificate not accepted: ") || !strings.Contains(msg, "x509") {
		t.Errorf("message %q", msg)
	}

	// The test server's own client trusts it.
	res, err := fetch(t, NewFetcher(FetcherOptions{Client: ts.Client()}), Request{URL: ts.URL + "/rss"})
	if err != nil || res.Feed.Title != "Tin nhanh" {
		t.Fatalf("with the trusting client: %+v, %v", res, err)
	}
}

func TestFetchHidesUserinfo(t *testing.T) {
	t.Parallel()
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/gone", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	withUser := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword("admin", "s3cr3t")
		return u.String()
	}
	tests := []struct{ name, url string }{
		{"status error", withUser(ts.URL + "/moved")},
		{"connection refused", withUser(closed.URL + "/rss")},
		{"bad scheme", "ftp://admin:s3cr3t@example.vn/rss"},
		{"unparseable", "http://admin:s3cr3t@exa mple.vn:port/rss"},
		{"token in the query", ts.URL + "/moved?token=s3cr3t"},
		{"api key in the query", closed.URL + "/rss?id=1&api_key=s3cr3t"},
		{"unparseable with a token", "http://exa mple.vn:port/rss?access_token=s3cr3t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: tt.url})
			if err == nil {
				t.Fatal("want an error")
			}
			if msg := err.Error(); strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "admin") {
				t.Errorf("message leaks a credential: %q", msg)
			}
		})
	}
}

func TestFetchParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		want                    error
	}{
		{"HTML page", "text/html; charset=utf-8", string(readTestdata(t, "page.html")), ErrNotFeed},
		{"malformed", "application/rss+xml", string(readTestdata(t, "malformed.xml")), ErrMalformed},
		{"empty 200", "application/rss+xml", "", ErrNotFeed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				fmt.Fprint(w, tt.body)
			})
			_, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: ts.URL + "/trang"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "parse "+ts.URL+"/trang: ") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestFetchContentTypeCharset(t *testing.T) {
	t.Parallel()
	body := encodeWindows1252(t, `<rss version="2.0"><channel><title>Café “Zürich”</title></channel></rss>`)
	ts := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=windows-1252")
		w.Write(body)
	})
	res, err := fetch(t, NewFetcher(FetcherOptions{}), Request{URL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	if res.Feed.Title != "Café “Zürich”" {
		t.Errorf("title %q", res.Feed.Title)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 7, 3, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{" 30 ", 30 * time.Second},
		{"Wed, 03 Jul 2024 01:05:00 GMT", 5 * time.Minute},
		{"Wednesday, 03-Jul-24 01:00:30 GMT", 30 * time.Second},
		{"Wed Jul  3 01:00:10 2024", 10 * time.Second},
		{"Wed, 03 Jul 2024 00:05:00 GMT", 0},
		{"Fri, 03 Jul 2099 00:00:00 GMT", maxRetryAfter},
		{"1.5", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
