package botapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// NewHTTPClient returns the HTTP client an adapter makes its calls with when it is
// given none: timeouts for dialling and the TLS handshake, and an overall timeout as
// a backstop, which should be above the adapter's longest call (a long poll); every
// call has its own context deadline anyway.
func NewHTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t, Timeout: timeout}
}

// IsTimeout reports whether err is a deadline that passed or a network timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
