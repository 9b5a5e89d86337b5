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
		c.FeedMaxBytes != 10<<20 || c.FeedMaxFailures != 10 || c.FeedMaxPerDay != 50 ||
		c.StallLimit != time.Minute || c.DBTimeout != 30*time.Second ||
		c.DeliveryLease != time.Minute || c.SendTimeout != 30*time.Second ||
		c.Retention != 90*24*time.Hour || c.AuditRetention != 730*24*time.Hour {
		t.Fatalf("defaults = %+v", c)
	}
	// The zone is embedded: 00:30 in Hà Nội is still the previous day in UTC.
	local := time.Date(2024, 6, 5, 0, 30, 0, 0, c.Location)
	if local.UTC().Day() != 4 {
		t.Fatalf("zone offset wrong: %v", local.UTC())
	}
}

func TestLoadStallLimitAndDBTimeout(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_STALL_LIMIT": "2m", "LOA_DB_TIMEOUT": "10s"}), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.StallLimit != 2*time.Minute || c.DBTimeout != 10*time.Second {
		t.Fatalf("StallLimit %s, DBTimeout %s", c.StallLimit, c.DBTimeout)
	}
}

// TestLoadShortLease: a lease of twice the send timeout is accepted, however short
// (fault tests run with seconds).
func TestLoadShortLease(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_DELIVERY_LEASE": "2s", "LOA_SEND_TIMEOUT": "1s"}), files(nil))
	if err != nil || c.DeliveryLease != 2*time.Second || c.SendTimeout != time.Second {
		t.Fatalf("lease %s, send timeout %s, %v", c.DeliveryLease, c.SendTimeout, err)
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
		{"stall limit and database timeout below a second", map[string]string{
			"LOA_DATABASE_URL": dbURL, "LOA_STALL_LIMIT": "500ms", "LOA_DB_TIMEOUT": "0s",
		}, []string{
			`LOA_STALL_LIMIT: "500ms": want a duration of at least 1s`,
			`LOA_DB_TIMEOUT: "0s": want a duration of at least 1s`,
		}},
		{"every bad value at once", map[string]string{
			"LOA_DATABASE_URL": dbURL, "LOA_TIMEZONE": "Asia/Hanoi_City", "LOA_HTTP_ADDR": "8080",
			"LOA_LOG_FORMAT": "xml", "LOA_FEED_BACKLOG": "-1", "LOA_FEED_TIMEOUT": "soon", "LOA_LOG_LEVEL": "loud",
			"LOA_FEED_MAX_PER_DAY": "-3",
		}, []string{
			`LOA_FEED_MAX_PER_DAY: "-3": want a whole number from 0 to 100000`,
			`LOA_TIMEZONE: "Asia/Hanoi_City" is not a known time zone`,
			`LOA_HTTP_ADDR: "8080" is not host:port`,
			`LOA_LOG_FORMAT: "xml": want text or json`,
			`LOA_FEED_BACKLOG: "-1": want a whole number from 0 to 1000`,
			`LOA_FEED_TIMEOUT: "soon": want a duration`,
			`LOA_LOG_LEVEL: "loud"`,
		}},
		{"lease shorter than two sends", map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_DELIVERY_LEASE": "59s"},
			[]string{"LOA_DELIVERY_LEASE: 59s is shorter than twice LOA_SEND_TIMEOUT (30s)"}},
		{"lease shorter than two short sends", map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_DELIVERY_LEASE": "1s",
			"LOA_SEND_TIMEOUT": "1s"}, []string{"LOA_DELIVERY_LEASE: 1s is shorter than twice LOA_SEND_TIMEOUT (1s)"}},
		{"send timeout unreadable", map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_SEND_TIMEOUT": "0s"},
			[]string{`LOA_SEND_TIMEOUT: "0s": want a duration of at least 1s`}},
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

// TestWebhookSecretStrength: a configured Telegram webhook secret shorter than 32
// characters is refused, naming the variable and never the value; Zalo's keeps its
// minimum of 8 and draws a warning below 32; derived secrets (none configured) are fine.
func TestWebhookSecretStrength(t *testing.T) {
	t.Parallel()
	const tgToken = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
	base := func(kv ...string) map[string]string {
		m := map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_TELEGRAM_TOKEN": tgToken, "LOA_ZALO_TOKEN": "zalo-token"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	short := "Sh0rtSecretValue_" + strings.Repeat("x", 14) // 31 characters
	long := short + "y"                                    // 32
	tests := []struct {
		name     string
		env      map[string]string
		wantErr  string // "" for none
		wantWarn string // "" for no warning
	}{
		{"derived secrets", base(), "", ""},
		{"telegram 31", base("LOA_TELEGRAM_WEBHOOK_SECRET", short), "LOA_TELEGRAM_WEBHOOK_SECRET: too short (31 characters)", ""},
		{"telegram 1", base("LOA_TELEGRAM_WEBHOOK_SECRET", "a"), "LOA_TELEGRAM_WEBHOOK_SECRET: too short (1 characters)", ""},
		{"telegram 32", base("LOA_TELEGRAM_WEBHOOK_SECRET", long), "", ""},
		{"zalo 7", base("LOA_ZALO_WEBHOOK_SECRET", "abcdefg"), "LOA_ZALO_WEBHOOK_SECRET: want 8 to 256 characters", ""},
		{"zalo 8", base("LOA_ZALO_WEBHOOK_SECRET", "abcdefgh"), "", "LOA_ZALO_WEBHOOK_SECRET: only 8 characters"},
		{"zalo 31", base("LOA_ZALO_WEBHOOK_SECRET", short), "", "LOA_ZALO_WEBHOOK_SECRET: only 31 characters"},
		{"zalo 32", base("LOA_ZALO_WEBHOOK_SECRET", long), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.env), files(nil))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			case err != nil && (strings.Contains(err.Error(), short) || strings.Contains(err.Error(), "abcdefg")):
				t.Fatalf("error shows the secret: %v", err)
			}
			if err != nil {
				return
			}
			warnings := strings.Join(c.Warnings, "\n")
			if (tt.wantWarn == "") != (len(c.Warnings) == 0) || !strings.Contains(warnings, tt.wantWarn) {
				t.Errorf("warnings %q, want %q", c.Warnings, tt.wantWarn)
			}
			if strings.Contains(warnings, "abcdefgh") || strings.Contains(warnings, short) {
				t.Errorf("a warning shows the secret: %q", warnings)
			}
		})
	}
}

// TestFeedMaxPerDay: LOA_FEED_MAX_PER_DAY is read, 0 turns the cap off.
func TestFeedMaxPerDay(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]int{"": DefaultFeedMaxPerDay, "0": 0, "7": 7} {
		c, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_FEED_MAX_PER_DAY": v}), files(nil))
		if err != nil || c.FeedMaxPerDay != want {
			t.Errorf("LOA_FEED_MAX_PER_DAY=%q: %d, %v; want %d", v, c.FeedMaxPerDay, err, want)
		}
	}
}
