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
	if code, _, errs := c.run("web", "link", "telegram", "1001"); code != 1 || !strings.Contains(errs, "LOA_PUBLIC_URL is not set") {
		t.Fatalf("without LOA_PUBLIC_URL: exit %d, %q", code, errs)
	}
	c.env["LOA_PUBLIC_URL"] = "https://loa.example.vn"
	c.env["LOA_ADMINS"] = "1001"
	out := c.ok("web", "link", "telegram", "1001")
	if !strings.HasPrefix(out, "https://loa.example.vn/dang-nhap/") || len(strings.TrimSpace(out)) < 60 {
		t.Fatalf("link = %q", out)
	}
	if code, _, errs := c.run("web", "link", "zalo", "abc"); code != 1 || !strings.Contains(errs, "zalo user abc is not an admin") {
		t.Fatalf("non-admin: exit %d, %q", code, errs)
	}
	c.ok("admins", "add", "zalo", "abc")
	if out := c.ok("web", "link", "zalo", "abc"); !strings.Contains(out, "/dang-nhap/") {
		t.Fatalf("database admin's link = %q", out)
	}
	if code, _, errs := c.run("web", "link", "sms", "1"); code != exitUsage || !strings.Contains(errs, `channel "sms"`) {
		t.Fatalf("bad channel: exit %d, %q", code, errs)
	}
}
