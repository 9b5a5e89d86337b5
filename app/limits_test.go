package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serveLimited runs h behind newHTTPServer with lim on a real TCP port and returns
// its address.
func serveLimited(t *testing.T, h http.Handler, lim httpLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(h, lim, slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// waitFor returns what ch gives, failing the test after limit.
func waitFor[T any](t *testing.T, what string, ch <-chan T, limit time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(limit):
		t.Fatalf("%s: nothing after %s", what, limit)
	}
	var zero T
	return zero
}

// TestServerLimitsAreSet: the service's server keeps its header timeout and closes
// idle connections; it has no server-wide read or write timeout, which would cut
// long-lived responses (the handler's deadlines do that job).
func TestServerLimitsAreSet(t *testing.T) {
	t.Parallel()
	srv := newHTTPServer(http.NotFoundHandler(), defaultHTTPLimits, slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout <= 0 || srv.IdleTimeout <= 0 || srv.ReadTimeout != 0 || srv.WriteTimeout != 0 {
		t.Fatalf("server limits: header %s, idle %s, read %s, write %s", srv.ReadHeaderTimeout, srv.IdleTimeout,
			srv.ReadTimeout, srv.WriteTimeout)
	}
	if l := defaultHTTPLimits; l.Read <= 0 || l.Write <= 0 {
		t.Fatalf("handler deadlines %+v", l)
	}
}

// TestSlowBodyIsCutOff: a client that sends its body a byte every 20 ms is cut off at
// the read deadline (250 ms), long before it would finish; a client at normal speed,
// on the same kind of connection, is served.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	readErr := make(chan error, 1)
	addr := serveLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if err != nil {
			readErr <- err
			http.Error(w, "too slow", http.StatusRequestTimeout)
			return
		}
		io.WriteString(w, "ok")
	}), httpLimits{ReadHeader: time.Second, Read: 250 * time.Millisecond, Write: time.Second, Idle: time.Second})

	// A normal client, twice on one connection: the deadlines are per request.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := range 2 {
		fmt.Fprintf(conn, "POST /hook HTTP/1.1\r\nHost: loa\r\nContent-Length: 5\r\n\r\nhello")
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("normal request %d: %v, %v", i, resp, err)
		}
		resp.Body.Close()
	}

	const size = 1000 // 20 s at a byte every 20 ms
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	start := time.Now()
	fmt.Fprintf(slow, "POST /hook HTTP/1.1\r\nHost: loa\r\nContent-Length: %d\r\n\r\n", size)
	closed := make(chan int, 1) // bytes of body sent when the server hung up
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		sent := 0
		for range tick.C {
			if _, err := slow.Write([]byte{'x'}); err != nil || sent == size {
				closed <- sent
				return
			}
			sent++
		}
	}()
	go func() { // the server's answer, then the end of the connection
		io.Copy(io.Discard, slow)
		slow.(*net.TCPConn).CloseWrite()
	}()
	err = waitFor(t, "the handler's read error", readErr, 5*time.Second)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read error %v, want the deadline", err)
	}
	sent := waitFor(t, "the server hanging up", closed, 5*time.Second)
	if took := time.Since(start); sent >= size || took > 4*time.Second {
		t.Errorf("slow client sent %d of %d bytes in %s before being cut off", sent, size, took)
	}
}

// TestSlowReaderIsCutOff: a client that never reads its response is cut off at the
// write deadline: the handler's write fails instead of blocking for ever.
func TestSlowReaderIsCutOff(t *testing.T) {
	t.Parallel()
	type result struct {
		written int64
		err     error
	}
	done := make(chan result, 1)
	addr := serveLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 1<<20)
		var n int64
		for n < 1<<30 {
			k, err := w.Write(chunk)
			n += int64(k)
			if err != nil {
				done <- result{n, err}
				return
			}
		}
		done <- result{n, nil}
	}), httpLimits{ReadHeader: time.Second, Read: time.Second, Write: 300 * time.Millisecond, Idle: time.Second})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /big HTTP/1.1\r\nHost: loa\r\n\r\n") // and never read
	r := waitFor(t, "the handler's write error", done, 10*time.Second)
	if r.err == nil || r.written >= 1<<30 {
		t.Fatalf("wrote %d bytes to a client that reads nothing, error %v", r.written, r.err)
	}
}

// streamHandler sends events a 100 ms apart for 600 ms, longer than the 250 ms
// deadlines; extend makes it push its write deadline before each event, as a live
// progress stream does.
func streamHandler(extend bool, ctxErr chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			ctxErr <- err
			return
		}
		rc := http.NewResponseController(w)
		w.Header().Set("Content-Type", "text/event-stream")
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := range 7 {
			if extend {
				if err := rc.SetWriteDeadline(time.Now().Add(250 * time.Millisecond)); err != nil {
					ctxErr <- err
					return
				}
			}
			if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
				ctxErr <- err
				return
			}
			if err := rc.Flush(); err != nil {
				ctxErr <- err
				return
			}
			select {
			case <-r.Context().Done():
				ctxErr <- r.Context().Err()
				return
			case <-tick.C:
			}
		}
		ctxErr <- nil
	})
}

// TestLongStreamOutlivesTheDeadlines: a stream that extends its own write deadline
// runs past both deadlines, its request context intact, also after reading a request
// body (whose read deadline must not linger); the same stream without extending is cut
// at the write deadline (so the test can fail).
func TestLongStreamOutlivesTheDeadlines(t *testing.T) {
	t.Parallel()
	lim := httpLimits{ReadHeader: time.Second, Read: 250 * time.Millisecond, Write: 250 * time.Millisecond, Idle: time.Second}
	for _, tc := range []struct{ extend, post bool }{{true, false}, {true, true}, {false, false}} {
		extend := tc.extend
		t.Run(fmt.Sprintf("extend=%v,post=%v", tc.extend, tc.post), func(t *testing.T) {
			t.Parallel()
			result := make(chan error, 1)
			addr := serveLimited(t, streamHandler(extend, result), lim)
			var resp *http.Response
			var err error
			if tc.post {
				resp, err = http.Post("http://"+addr+"/progress", "text/plain", strings.NewReader("broadcast=12"))
			} else {
				resp, err = http.Get("http://" + addr + "/progress")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			events := strings.Count(string(body), "data: ")
			err = waitFor(t, "the stream's end", result, 5*time.Second)
			switch {
			case extend && (err != nil || events != 7):
				t.Fatalf("extended stream: %d events, handler error %v; want all 7, no error", events, err)
			case !extend && events == 7:
				t.Fatalf("a stream that does not extend its deadline got all %d events past the deadline", events)
			}
		})
	}
}

// TestIdleConnectionsAreClosed: a keep-alive connection with no request is closed
// after the idle timeout.
func TestIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	addr := serveLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		httpLimits{ReadHeader: 5 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Idle: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: loa\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	eof := make(chan error, 1)
	go func() { _, err := br.ReadByte(); eof <- err }()
	if err := waitFor(t, "the idle connection's close", eof, 3*time.Second); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
}
