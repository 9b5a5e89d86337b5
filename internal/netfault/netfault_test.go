package netfault

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echo is a line echo server that counts the lines it received.
type echo struct {
	ln    net.Listener
	lines atomic.Int32
}

func newEcho(t *testing.T) *echo {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echo{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					e.lines.Add(1)
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return e
}

func proxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := Listen(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// roundTrip sends a line and reads the answer within wait.
func roundTrip(c net.Conn, r *bufio.Reader, line string, wait time.Duration) (string, error) {
	if err := c.SetDeadline(time.Now().Add(wait)); err != nil {
		return "", err
	}
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	got, err := r.ReadString('\n')
	return strings.TrimSuffix(got, "\n"), err
}

// rig is an echo server, a proxy to it and a client connection through the proxy.
type rig struct {
	e *echo
	p *Proxy
	c net.Conn
	r *bufio.Reader
}

// newRig starts a rig and checks that first comes back through it.
func newRig(t *testing.T, first string) rig {
	t.Helper()
	e := newEcho(t)
	p := proxy(t, e.ln.Addr().String())
	c, r := dial(t, p.Addr())
	if got, err := roundTrip(c, r, first, 5*time.Second); err != nil || got != first {
		t.Fatalf("echo %q = %q, %v", first, got, err)
	}
	return rig{e, p, c, r}
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func TestProxyForwards(t *testing.T) {
	t.Parallel()
	x := newRig(t, "một")
	if got, err := roundTrip(x.c, x.r, "hai", 5*time.Second); err != nil || got != "hai" {
		t.Fatalf("echo %q = %q, %v", "hai", got, err)
	}
}

func TestSilenceHangsOpenAndNewConnections(t *testing.T) {
	t.Parallel()
	x := newRig(t, "before")
	e, p, old, oldR := x.e, x.p, x.c, x.r
	p.Silence()

	// An open connection: the write succeeds (the proxy's kernel takes it), nothing
	// comes back, nothing is closed, and the target never sees the line.
	if got, err := roundTrip(old, oldR, "lost", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("silenced connection answered %q, %v; want a timeout", got, err)
	}
	if n := e.lines.Load(); n != 1 {
		t.Fatalf("target received %d lines, want only the one before the silence", n)
	}
	// A new connection is accepted (the dial succeeds) and never answered.
	fresh, freshR := dial(t, p.Addr())
	if got, err := roundTrip(fresh, freshR, "hello?", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("new connection during the silence answered %q, %v; want a timeout", got, err)
	}

	// Restore: new connections work, the silenced one stays silent.
	p.Restore()
	c, r := dial(t, p.Addr())
	if got, err := roundTrip(c, r, "after", 5*time.Second); err != nil || got != "after" {
		t.Fatalf("after Restore: %q, %v", got, err)
	}
	if got, err := roundTrip(old, oldR, "still lost", 200*time.Millisecond); !isTimeout(err) {
		t.Fatalf("silenced connection answered %q, %v after Restore; want a timeout", got, err)
	}
}

func TestCloseClosesEverything(t *testing.T) {
	t.Parallel()
	x := newRig(t, "x")
	p, c, r := x.p, x.c, x.r
	p.Silence()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// The client sees the end of the connection, not a timeout.
	if _, err := roundTrip(c, r, "y", 5*time.Second); err == nil || isTimeout(err) {
		t.Fatalf("after Close: %v; want the connection closed", err)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Fatal("the proxy still accepts after Close")
	}
}

func TestLinksClosedByTheirPeersAreLetGo(t *testing.T) {
	t.Parallel()
	x := newRig(t, "x")
	e, p, c := x.e, x.p, x.c
	e.ln.Close()
	// The echo server's connection handlers still run; close this one from the
	// client side and check that the proxy lets go of it (no hang in Close).
	c.Close()
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung on a connection both ends had closed")
	}
}
