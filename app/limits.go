package app

import (
	"log/slog"
	"net/http"
	"time"
)

// httpLimits bound what one client can hold of the HTTP server.
type httpLimits struct {
	// ReadHeader bounds reading a request's headers (the server's ReadHeaderTimeout).
	ReadHeader time.Duration
	// Read bounds reading a request's body, from the moment its handler starts.
	Read time.Duration
	// Write bounds writing the response, from the moment its handler starts; a
	// long-lived response extends its own (see withDeadlines).
	Write time.Duration
	// Idle closes a keep-alive connection that sends no next request.
	Idle time.Duration
}

// defaultHTTPLimits are the service's. A webhook update (at most 1 MiB) or a metrics
// scrape takes far less than the read and write deadlines.
var defaultHTTPLimits = httpLimits{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Write:      30 * time.Second,
	Idle:       2 * time.Minute,
}

// newHTTPServer is the service's HTTP server: headers and idle connections bounded by
// the server, bodies and responses by each request's deadlines (withDeadlines). The
// server sets no ReadTimeout or WriteTimeout: those would cut every response at the
// same age, a live progress stream included.
func newHTTPServer(h http.Handler, lim httpLimits, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           withDeadlines(h, lim.Read, lim.Write),
		ReadHeaderTimeout: lim.ReadHeader,
		IdleTimeout:       lim.Idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// withDeadlines gives each request a read deadline for its body and a write deadline
// for its response, through http.ResponseController, so a client that sends or reads
// slowly is cut off instead of holding a connection and a goroutine.
//
// The read deadline is set only for a request with a body. net/http clears it itself
// once the body has been read, when it starts waiting for the client to hang up; for a
// request without a body that wait has already begun when the handler starts, and a
// deadline set now would end it — and cancel the request's context — in the middle
// of a long response.
//
// A handler whose response lives longer than the write deadline — a live progress
// stream — extends its own before each write:
//
//	rc := http.NewResponseController(w)
//	rc.SetWriteDeadline(time.Now().Add(d)) // then write and rc.Flush()
func withDeadlines(h http.Handler, read, write time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		if write > 0 {
			_ = rc.SetWriteDeadline(now.Add(write)) // ErrNotSupported only from test recorders
		}
		if read > 0 && r.Body != nil && r.Body != http.NoBody {
			_ = rc.SetReadDeadline(now.Add(read))
		}
		h.ServeHTTP(w, r)
	})
}
