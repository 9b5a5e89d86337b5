package config

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestWebSettings: LOA_PUBLIC_URL is the site's root, http draws a warning unless it is
// the machine itself, and LOA_TRUSTED_PROXIES takes addresses and ranges.
func TestWebSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_PUBLIC_URL": "https://loa.example.vn/",
		"LOA_TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12,::1"}), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("::1/128")}
	if c.PublicURL != "https://loa.example.vn" || !slices.Equal(c.TrustedProxies, want) || len(c.Warnings) != 0 {
		t.Fatalf("public URL %q, proxies %v, warnings %q", c.PublicURL, c.TrustedProxies, c.Warnings)
	}

	c, err = Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_PUBLIC_URL": "http://127.0.0.1:8080"}), files(nil))
	if err != nil || c.PublicURL != "http://127.0.0.1:8080" || len(c.Warnings) != 0 {
		t.Fatalf("local http: %q, %q, %v", c.PublicURL, c.Warnings, err)
	}
	c, err = Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, "LOA_PUBLIC_URL": "http://loa.example.vn"}), files(nil))
	if err != nil || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "LOA_PUBLIC_URL") {
		t.Fatalf("remote http: warnings %q, %v", c.Warnings, err)
	}

	for _, tt := range []struct{ env, value, want string }{
		{"LOA_PUBLIC_URL", "loa.example.vn", `LOA_PUBLIC_URL: "loa.example.vn": want the address admins open in a browser`},
		{"LOA_PUBLIC_URL", "ftp://loa.example.vn", `want the address admins open in a browser`},
		{"LOA_PUBLIC_URL", "https://loa.example.vn/console", `want the site's root`},
		{"LOA_PUBLIC_URL", "https://u:p@loa.example.vn", `want the address admins open`},
		{"LOA_TRUSTED_PROXIES", "10.0.0.5,proxy.local", `LOA_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range`},
		{"LOA_TRUSTED_PROXIES", "10.0.0.0/33", `"10.0.0.0/33" is not an IP address`},
	} {
		_, err := Load(env(map[string]string{"LOA_DATABASE_URL": dbURL, tt.env: tt.value}), files(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%q: error %v, want %q", tt.env, tt.value, err, tt.want)
		}
	}
}
