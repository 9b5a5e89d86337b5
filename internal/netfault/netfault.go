// Package netfault is a TCP proxy for fault tests: it forwards connections to a target
// until told to go silent, the way a host that died, a cable cut or a middlebox that
// lost its state looks to the other end. Nothing is closed and nothing answers: the
// peers' TCP stacks stay happy (the proxy's kernel still acknowledges), so only
// application-level deadlines can tell that the other side is gone. That is the case
// TCP keepalive cannot catch and the one loa must survive.
package netfault

import (
	"errors"
	"io"
	"net"
	"sync"
)

// Proxy forwards each accepted connection to Target. It is safe for concurrent use.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	silent bool
	closed bool
	// conns are every connection the proxy holds, client and target sides, closed by
	// Close.
	conns map[net.Conn]struct{}
	// links are the forwarding pairs; a silenced link never forwards again.
	links map[*link]struct{}
	wg    sync.WaitGroup
}

// link is one forwarded connection.
type link struct {
	// dead is set when the link is silenced: whatever arrives afterwards is dropped.
	dead bool
}

// Listen starts a proxy on 127.0.0.1 (a free port) that forwards to target
// ("host:port").
func Listen(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, links: map[*link]struct{}{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the proxy's address ("127.0.0.1:PORT").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Silence makes every open connection hang both ways, for good: nothing more is
// forwarded in either direction and nothing is closed. New connections are accepted
// and never answered until Restore.
func (p *Proxy) Silence() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = true
	for l := range p.links {
		l.dead = true
	}
}

// Restore makes new connections work again. The connections silenced by Silence stay
// silent, as after a NAT or a load balancer forgot them: their peers must notice on
// their own and reconnect.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = false
}

// Close stops the proxy and closes every connection it holds.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	err := p.ln.Close()
	for c := range p.conns {
		_ = c.Close() // closing is all that is left to do
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

// hold records a connection to be closed by Close; false if the proxy is closed.
func (p *Proxy) hold(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		if !p.hold(c) {
			return
		}
		p.mu.Lock()
		silent := p.silent
		p.mu.Unlock()
		if silent {
			continue // accepted, held open, never answered
		}
		p.wg.Go(func() { p.forward(c) })
	}
}

// forward connects c to the target and copies both ways until either side closes or
// the link is silenced.
func (p *Proxy) forward(c net.Conn) {
	t, err := net.Dial("tcp", p.target)
	if err != nil {
		p.drop(c)
		return
	}
	if !p.hold(t) {
		p.drop(c)
		return
	}
	l := &link{}
	p.mu.Lock()
	p.links[l] = struct{}{}
	p.mu.Unlock()
	var both sync.WaitGroup
	both.Go(func() { p.copy(l, t, c) })
	both.Go(func() { p.copy(l, c, t) })
	both.Wait()
	p.mu.Lock()
	delete(p.links, l)
	dead := l.dead
	p.mu.Unlock()
	if !dead {
		p.drop(c)
		p.drop(t)
	}
}

// copy forwards src to dst until an error, or drops everything once the link is dead.
// A silenced link keeps both connections open (until Close): the peers see silence,
// not a reset.
func (p *Proxy) copy(l *link, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			dead := l.dead
			p.mu.Unlock()
			if !dead {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					err = werr
				}
			}
		}
		if err != nil {
			p.mu.Lock()
			dead := l.dead
			p.mu.Unlock()
			if !dead && !errors.Is(err, io.EOF) {
				_ = dst.Close() // tell the other side, as a real connection would
			}
			if !dead {
				if cw, ok := dst.(*net.TCPConn); ok {
					_ = cw.CloseWrite() // pass the half-close on
				}
			}
			return
		}
	}
}

// drop closes c and forgets it.
func (p *Proxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}
