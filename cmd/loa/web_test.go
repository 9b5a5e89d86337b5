package main

import (
	"strings"
	"testing"
)

// TestWebLink: a link for an admin (of LOA_ADMINS or the database) on LOA_PUBLIC_URL;
// refused for anyone else, and without LOA_PUBLIC_URL.
func TestWebLink(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.fails(1, "LOA_PUBLIC_URL is not set", "web", "link", "telegram", "1001")
	c.env["LOA_PUBLIC_URL"] = "https://loa.example.vn"
	c.env["LOA_ADMINS"] = "1001"
	out := c.ok("web", "link", "telegram", "1001")
	if !strings.HasPrefix(out, "https://loa.example.vn/dang-nhap/") || len(strings.TrimSpace(out)) < 60 {
		t.Fatalf("link = %q", out)
	}
	c.fails(1, "zalo user abc is not an admin", "web", "link", "zalo", "abc")
	c.ok("admins", "add", "zalo", "abc")
	if out := c.ok("web", "link", "zalo", "abc"); !strings.Contains(out, "/dang-nhap/") {
		t.Fatalf("database admin's link = %q", out)
	}
	c.usageError(`channel "sms"`, "web", "link", "sms", "1")
}
