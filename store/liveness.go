package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrSilent is the error of a call whose connection went silent: the database sent
// nothing for longer than Options.Timeout while the call waited for an answer. The
// connection is closed; the pool opens a new one for the next call.
var ErrSilent = errors.New("database connection silent")

// Liveness settings. Keepalive: a peer that stops acknowledging is declared dead after
// idle + count × interval = 25 s, on our side (Dialer) and on the server's
// (tcp_keepalives_* set on each session), where the default is two hours.
const (
	keepaliveIdle     = 10 * time.Second
	keepaliveInterval = 5 * time.Second
	keepaliveCount    = 3
	// healthCheckPeriod is how often the pool looks over its idle connections
	// (pgx's default is a minute).
	healthCheckPeriod = 5 * time.Second
	// maxConnectTimeout and maxPingTimeout cap the connect and ping bounds, which
	// healthy databases answer in milliseconds.
	maxConnectTimeout = 10 * time.Second
	// maxPingTimeout is small because pgx may ping several idle connections in turn
	// before handing one out: sixteen silent ones cost half a minute at most.
	maxPingTimeout = 2 * time.Second
)

// sweepIdle pings every idle connection each period and closes those that do not
// answer within pingTimeout, so that connections gone silent while idle are dropped
// before a caller meets them. pgx's own health check only retires old connections.
func (s *Store) sweepIdle(period, pingTimeout time.Duration) {
	defer close(s.swept)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-s.stopSweep:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		var wg sync.WaitGroup
		for _, c := range s.pool.AcquireAllIdle(ctx) {
			wg.Go(func() {
				if err := c.Ping(ctx); err != nil {
					_ = c.Conn().Close(ctx) // closed: Release drops it from the pool
				}
				c.Release()
			})
		}
		wg.Wait()
		cancel()
	}
}

// configureLiveness sets the pool's dead-connection detection (see OpenWith).
func configureLiveness(cfg *pgxpool.Config, url string, timeout time.Duration) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cc := cfg.ConnConfig
	if !strings.Contains(url, "connect_timeout") {
		cc.ConnectTimeout = min(timeout, maxConnectTimeout)
	}
	dialer := &net.Dialer{
		Timeout: cc.ConnectTimeout,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: keepaliveIdle, Interval: keepaliveInterval, Count: keepaliveCount,
		},
	}
	// Every connection dialed is bounded, including those pgx opens on its own to
	// cancel a query on a connection it abandons, which would otherwise wait 15 s for a
	// silent server to hang up.
	cc.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		sc := &silenceConn{Conn: c, timeout: timeout}
		sc.limit.Store(int64(timeout))
		return sc, nil
	}
	// Session settings are made after connecting rather than as startup parameters,
	// which a connection pooler such as PgBouncer refuses by default; best effort (a
	// setting the URL names stays as it is):
	//   - the server's side of keepalive;
	//   - jit off: loa's statements are short, and compiling one with JIT takes
	//     seconds on a small machine. The reads whose fallback branch (broadcasts not
	//     yet counted) is estimated at a scan of a broadcast's rows, though it never runs
	//     once the broadcast is counted, were compiled on that estimate: 3.7 s for a
	//     1 ms read with 10M rows.
	keepalive := !strings.Contains(url, "tcp_keepalives")
	_, jitSet := cfg.ConnConfig.RuntimeParams["jit"]
	if keepalive || !jitSet {
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			if keepalive {
				_, _ = c.Exec(ctx, `SELECT set_config('tcp_keepalives_idle', $1, false),
					set_config('tcp_keepalives_interval', $2, false), set_config('tcp_keepalives_count', $3, false)`,
					fmt.Sprint(int(keepaliveIdle.Seconds())), fmt.Sprint(int(keepaliveInterval.Seconds())), fmt.Sprint(keepaliveCount))
			}
			if !jitSet {
				_, _ = c.Exec(ctx, `SELECT set_config('jit', 'off', false)`)
			}
			return nil
		}
	}
	if !strings.Contains(url, "pool_health_check_period") {
		cfg.HealthCheckPeriod = healthCheckPeriod
	}
	if !strings.Contains(url, "pool_ping_timeout") {
		cfg.PingTimeout = min(timeout, maxPingTimeout)
	}
	// The connection pgx talks through (TLS over the dialed one, or the dialed one
	// itself) is the one whose limit each acquisition adjusts; under TLS the dialed
	// connection's own limit is lifted, since it cannot be adjusted.
	cc.AfterNetConnect = func(_ context.Context, _ *pgconn.Config, c net.Conn) (net.Conn, error) {
		if sc, ok := c.(*silenceConn); ok {
			return sc, nil
		}
		if inner, ok := c.(interface{ NetConn() net.Conn }); ok {
			if sc, ok := inner.NetConn().(*silenceConn); ok {
				sc.limit.Store(0)
			}
		}
		sc := &silenceConn{Conn: c, timeout: timeout}
		sc.limit.Store(int64(timeout))
		return sc, nil
	}
	// Each acquisition sets the limit for the caller's context: a context with a
	// deadline is bounded by it (pgx breaks the read when it passes), a migration is not
	// bounded, anything else by timeout.
	cfg.PrepareConn = func(ctx context.Context, c *pgx.Conn) (bool, error) {
		if sc, ok := c.PgConn().Conn().(*silenceConn); ok {
			sc.limit.Store(int64(limitFor(ctx, timeout)))
		}
		return true, nil
	}
	cfg.AfterRelease = func(c *pgx.Conn) bool {
		if sc, ok := c.PgConn().Conn().(*silenceConn); ok {
			sc.limit.Store(int64(timeout))
		}
		return true
	}
}

// unboundedKey marks a context whose calls may run long without a byte of answer.
type unboundedKey struct{}

// withoutSilenceLimit marks ctx for statements that legitimately run long in silence
// (migrations: an index build over a large table). Its deadline, if any, still holds.
func withoutSilenceLimit(ctx context.Context) context.Context {
	return context.WithValue(ctx, unboundedKey{}, true)
}

// limitFor is the silence limit for calls made under ctx: none when ctx has a deadline
// (it bounds them) or is marked withoutSilenceLimit, else timeout.
func limitFor(ctx context.Context, timeout time.Duration) time.Duration {
	if _, ok := ctx.Deadline(); ok || ctx.Value(unboundedKey{}) != nil {
		return 0
	}
	return timeout
}

// silenceConn bounds each read by the connection's silence limit: a read that waits
// longer closes the connection and fails with ErrSilent. pgx reads only while it waits
// for an answer, so an idle pooled connection is never affected. Deadlines pgx sets
// itself (when a context ends) keep working: the earlier of the two applies, and a read
// ended by pgx's deadline reports the timeout pgx expects.
type silenceConn struct {
	net.Conn
	// limit is the silence limit in nanoseconds; 0: none.
	limit atomic.Int64
	// timeout is the store's limit, which applies again once pgx abandons the
	// connection (sets a deadline already past): pgx then drains it for up to 15 s
	// before closing, which on a silent connection would hold up the pool's Close.
	timeout time.Duration

	mu sync.Mutex
	// readDeadline is the deadline set through SetDeadline or SetReadDeadline.
	readDeadline time.Time
}

// Read implements net.Conn.
func (c *silenceConn) Read(b []byte) (int, error) {
	limit := time.Duration(c.limit.Load())
	if limit <= 0 {
		return c.Conn.Read(b)
	}
	c.mu.Lock()
	d := time.Now().Add(limit)
	if !c.readDeadline.IsZero() && c.readDeadline.Before(d) {
		d = c.readDeadline
	}
	err := c.Conn.SetReadDeadline(d)
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	theirs := c.readDeadline
	_ = c.Conn.SetReadDeadline(theirs) // back to pgx's own; a closed conn fails the next read anyway
	c.mu.Unlock()
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && (theirs.IsZero() || time.Now().Before(theirs)) {
		_ = c.Conn.Close() // dead: the pool must not hand it out again
		return n, fmt.Errorf("%w: no answer for %s", ErrSilent, limit)
	}
	return n, err
}

// SetDeadline implements net.Conn.
func (c *silenceConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setReadDeadline(t)
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline implements net.Conn.
func (c *silenceConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setReadDeadline(t)
	return c.Conn.SetReadDeadline(t)
}

func (c *silenceConn) setReadDeadline(t time.Time) {
	c.readDeadline = t
	if !t.IsZero() && !t.After(time.Now()) && c.timeout > 0 {
		c.limit.Store(int64(c.timeout)) // abandoned by pgx: bound what follows
	}
}
