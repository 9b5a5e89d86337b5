// Package dbtest gives each test a PostgreSQL schema of its own on the real server, so
// tests run in parallel against one database without seeing each other's rows.
//
// The server is named by LOA_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/loa_test?sslmode=disable); the database is created
// when missing. A test fails, never skips, when PostgreSQL cannot be reached.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"loa/internal/netfault"
	"loa/store"
)

// DefaultURL is the test server used when LOA_TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/loa_test?sslmode=disable"

var (
	ensureOnce sync.Once
	ensureErr  error
)

// BaseURL returns the test database URL, creating the database on first use.
func BaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LOA_TEST_DATABASE_URL")
	if u == "" {
		u = DefaultURL
	}
	ensureOnce.Do(func() { ensureErr = ensureDatabase(u) })
	if ensureErr != nil {
		t.Fatalf("test database %s: %v (start PostgreSQL, or set LOA_TEST_DATABASE_URL; scripts/test does both)", redact(u), ensureErr)
	}
	return u
}

// ensureDatabase creates the database named in u when it does not exist yet.
func ensureDatabase(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return err
	}
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // created meanwhile by a parallel test binary
	}
	return err
}

// URL creates an empty schema for this test, dropped when the test ends, and returns a
// database URL whose connections use it (search_path).
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("LOA_TEST_DATABASE_URL must be a postgres:// URL: %v", err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

// Store opens a store on a fresh, migrated schema, closed when the test ends.
func Store(t testing.TB) *store.Store {
	t.Helper()
	return StoreAt(t, URL(t))
}

// StoreURL is Store that also returns the schema's URL, for what else the test opens
// there (a raw connection, a second replica).
func StoreURL(t testing.TB) (*store.Store, string) {
	t.Helper()
	url := URL(t)
	return StoreAt(t, url), url
}

// StoreAt opens and migrates a store at url, closed when the test ends.
func StoreAt(t testing.TB, url string) *store.Store {
	t.Helper()
	s := Open(t, url)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func redact(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return pu.Redacted()
}

// Conn opens a plain connection at url (e.g. for SQL a test writes itself), closed
// when the test ends.
func Conn(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("connect to test database: %v", err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// ViaProxy starts a fault-injecting proxy to the server at rawURL, closed when the
// test ends, and returns it with rawURL rewritten to go through it.
func ViaProxy(tb testing.TB, rawURL string) (*netfault.Proxy, string) {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := netfault.Listen(u.Host)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	u.Host = p.Addr()
	return p, u.String()
}

// Open opens a store at url without migrating it (for tests of the migrations),
// closed when the test ends.
func Open(tb testing.TB, url string) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}
