package apitest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
)

// HTTPServer is a fake's httptest server with what its Close must stop: a
// done channel that ends held requests and long polls, and the background
// loops (webhook delivery) that Close waits for. Embed it as a value and
// Start it once the handler is ready.
type HTTPServer struct {
	ts      *httptest.Server
	done    chan struct{}
	closing sync.Once
	loops   sync.WaitGroup
}

// Start serves h on a local port. The server does not log the broken
// connections tests make on purpose (scripted hangups).
func (s *HTTPServer) Start(h http.Handler) {
	s.done = make(chan struct{})
	s.ts = httptest.NewUnstartedServer(h)
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.ts.Start()
}

// Go runs loop in a goroutine that Close waits for; loop must return once
// Done is closed.
func (s *HTTPServer) Go(loop func()) {
	s.loops.Go(loop)
}

// Done is closed when Close starts.
func (s *HTTPServer) Done() <-chan struct{} { return s.done }

// Close closes Done, drops client connections, shuts the server down and
// waits for the loops. It is safe to call more than once.
func (s *HTTPServer) Close() {
	s.closing.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
		s.loops.Wait()
	})
}

// URL is the base URL, e.g. http://127.0.0.1:PORT.
func (s *HTTPServer) URL() string { return s.ts.URL }

// Client is an HTTP client for the server.
func (s *HTTPServer) Client() *http.Client { return s.ts.Client() }
