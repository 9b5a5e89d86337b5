package main

import (
	"strings"
	"testing"
	"time"

	"loa/store/storetest"
)

func TestPrune(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("migrate")
	url := c.env["LOA_DATABASE_URL"]
	storetest.SeedAudit(t, url, "old", 800*24*time.Hour, 900*24*time.Hour)
	storetest.SeedAudit(t, url, "recent", 10*24*time.Hour)
	out := c.ok("prune", "--dry-run")
	if !strings.Contains(out, "would prune (retention 90d, audit log 730d)") || !strings.Contains(out, "audit entries  2") {
		t.Fatalf("dry run:\n%s", out)
	}
	c.env["LOA_AUDIT_RETENTION"] = "5d"
	if out := c.ok("prune"); !strings.HasPrefix(out, "pruned (retention 90d, audit log 5d)") || !strings.Contains(out, "audit entries  3") {
		t.Fatalf("prune:\n%s", out)
	}
	if out := c.ok("prune", "--dry-run"); !strings.Contains(out, "audit entries  0") || !strings.Contains(out, "deliveries     0") {
		t.Fatalf("after prune:\n%s", out)
	}
	c.usageError("prune takes no arguments", "prune", "now")
}
