// Package store keeps loa's state in PostgreSQL: subscribers and their topics; feeds and
// the items seen in them; broadcasts, their deliveries and the counters and daily
// rollups that outlive them; announcements and calendar events; admins, the audit log
// and the web console's links and sessions; the channels' send slots and pauses, the
// inbound updates already seen, alerts, and the leader's lease. All SQL lives here;
// callers pass values and get Go types back.
//
// Every statement runs in the connection's current schema, so a deployment (or a test)
// can live in a schema of its own by setting search_path in the database URL.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// Store is loa's PostgreSQL store. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// stopSweep ends sweepIdle; swept is closed when it has.
	stopSweep, swept chan struct{}
	closeOnce        sync.Once
	// migrationLockTimeout bounds each lock wait of a migration (default 2 s); tests
	// shorten it.
	migrationLockTimeout time.Duration
}

// DefaultTimeout is how long a database connection may keep a call waiting without a
// byte of answer before it is taken for dead (Options.Timeout).
const DefaultTimeout = 30 * time.Second

// Options tune how the store talks to the database.
type Options struct {
	// Timeout bounds the silence of a connection: a call whose context has no earlier
	// deadline, waiting longer than this for the database's next byte, fails and its
	// connection is closed and dropped from the pool, so that a connection gone silent
	// (a dead host or middlebox that never resets it) cannot wedge its caller. It also
	// bounds connecting and the pool's liveness pings. Default DefaultTimeout; migrations
	// are exempt (a large index may take minutes to build).
	Timeout time.Duration
}

// Open connects to the database named by url with the default options; see OpenWith.
func Open(ctx context.Context, url string) (*Store, error) { return OpenWith(ctx, url, Options{}) }

// OpenWith connects to the database named by url and checks that it answers. The url
// is a PostgreSQL URL or keyword/value string as understood by pgx; it never appears in
// the returned error, since it may carry a password.
//
// Every connection has TCP keepalive on both ends (so a dead peer is noticed in about
// 25 s rather than the kernel's two hours), a connect timeout, and a silence limit on
// its reads (Options.Timeout); idle pooled connections are checked every few seconds.
// Settings given in the url (connect_timeout, pool_health_check_period,
// tcp_keepalives_*) win.
func OpenWith(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors quote the offending string: keep only the gist.
		return nil, errors.New("invalid database URL: expected postgres://user:password@host:port/dbname")
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default (4 on this class of machine) starves the senders, which record
		// each outcome as it returns; PostgreSQL's default max_connections is 100.
		cfg.MaxConns = 16
	}
	configureLiveness(cfg, url, opts.Timeout)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s:%d/%s: %w",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	s := &Store{pool: pool, stopSweep: make(chan struct{}), swept: make(chan struct{})}
	go s.sweepIdle(cfg.HealthCheckPeriod, cfg.PingTimeout)
	return s, nil
}

// Close closes every connection of the store. Closing twice is harmless.
func (s *Store) Close() {
	s.closeOnce.Do(func() {
		close(s.stopSweep)
		<-s.swept
	})
	s.pool.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// ConnConfig returns a copy of the configuration the store's connections use, so that a
// caller can open a dedicated connection (leadership) to the same database and schema.
func (s *Store) ConnConfig() *pgx.ConnConfig { return s.pool.Config().ConnConfig.Copy() }

// found is the outcome of reading one object, noun id: ErrNotFound when no row came
// back, every error wrapped as "noun id: …".
func found[T any](v T, err error, noun string, id int64) (T, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s %d: %w", noun, id, err)
	}
	return v, nil
}

// rowTo makes a scanner of one row, as QueryRow gives it, a scanner for collected.
func rowTo[T any](scan func(pgx.Row) (T, error)) pgx.RowToFunc[T] {
	return func(row pgx.CollectableRow) (T, error) { return scan(row) }
}

// collectedSet is collected for a query of one column: the set of its values.
func collectedSet[T comparable](rows pgx.Rows, err error, what string) (map[T]bool, error) {
	vs, err := collected(rows, err, what, pgx.RowTo[T])
	if err != nil {
		return nil, err
	}
	set := make(map[T]bool, len(vs))
	for _, v := range vs {
		set[v] = true
	}
	return set, nil
}

// collected scans each row a query returned with scan; what names the read in the
// error. It takes the query's results as they come: rows, err := q.Query(…).
func collected[T any](rows pgx.Rows, err error, what string, scan pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
