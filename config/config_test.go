package config

import (
	"io/fs"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if v, ok := m[name]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

const dbURL = "postgres://loa:s3cret@127.0.0.1:5432/loa"

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL}), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Location.String() != "Asia/Ho_Chi_Minh" || c.HTTPAddr != ":8080" || c.LogFormat != "text" ||
		c.FeedBacklog != 0 || c.FeedMaxAnnounce != DefaultFeedMaxAnnounce || c.FeedTimeout != 30*time.Second ||
		c.FeedMaxBytes != 10<<20 || c.FeedMaxFailures != 10 ||
		c.Retention != 90*24*time.Hour || c.AuditRetention != 730*24*time.Hour {
		t.Fatalf("defaults = %+v", c)
	}
	// The zone is embedded: 00:30 in Hà Nội is still the previous day in UTC.
	local := time.Date(2024, 6, 5, 0, 30, 0, 0, c.Location)
	if local.UTC().Day() != 4 {
		t.Fatalf("zone offset wrong: %v", local.UTC())
	}
}

func TestLoadSecretFromFile(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"LOA_DATABASE_URL_FILE": "/run/secrets/db"}),
		files(map[string]string{"/run/secrets/db": dbURL + "\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != dbURL {
		t.Fatalf("DatabaseURL = %q, want the file's content without its newline", c.DatabaseURL)
	}
}

func TestLoadRetention(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_RETENTION": "30d", "LOA_AUDIT_RETENTION": "8760h"}), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention != 30*24*time.Hour || c.AuditRetention != 365*24*time.Hour {
		t.Fatalf("retention %s, audit %s", c.Retention, c.AuditRetention)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want []string // each must appear in the error
	}{
		{"database URL missing", map[string]string{}, []string{"LOA_DATABASE_URL: is required"}},
		{"both value and file", map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_DATABASE_URL_FILE": "/x"},
			[]string{"set either LOA_DATABASE_URL or LOA_DATABASE_URL_FILE, not both"}},
		{"secret file missing", map[string]string{"LOA_DATABASE_URL_FILE": "/nope"},
			[]string{"LOA_DATABASE_URL_FILE: cannot read /nope: file does not exist"}},
		{"not a postgres URL", map[string]string{"LOA_DATABASE_URL": "mysql://x:pw@h/db"},
			[]string{"LOA_DATABASE_URL: must be a postgres:// or postgresql:// URL"}},
		{"every bad value at once", map[string]string{
			"LOA_DATABASE_URL": dbURL, "LOA_TIMEZONE": "Asia/Hanoi_City", "LOA_HTTP_ADDR": "8080",
			"LOA_LOG_FORMAT": "xml", "LOA_FEED_BACKLOG": "-1", "LOA_FEED_TIMEOUT": "soon", "LOA_LOG_LEVEL": "loud",
		}, []string{
			`LOA_TIMEZONE: "Asia/Hanoi_City" is not a known time zone`,
			`LOA_HTTP_ADDR: "8080" is not host:port`,
			`LOA_LOG_FORMAT: "xml": want text or json`,
			`LOA_FEED_BACKLOG: "-1": want a whole number from 0 to 1000`,
			`LOA_FEED_TIMEOUT: "soon": want a duration`,
			`LOA_LOG_LEVEL: "loud"`,
		}},
		{"retention", map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_RETENTION": "90", "LOA_AUDIT_RETENTION": "12h"},
			[]string{`LOA_RETENTION: "90": want a number of days`, `LOA_AUDIT_RETENTION: "12h": want a number of days of at least 1`}},
		{"retention within the delivery max age", map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_RETENTION": "2d",
			"LOA_DELIVERY_MAX_AGE": "72h"}, []string{"LOA_RETENTION: 48h0m0s: must be longer than LOA_DELIVERY_MAX_AGE (72h0m0s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env), files(nil))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "pw@") {
				t.Errorf("error leaks a password: %q", err)
			}
		})
	}
}
