package main

import (
	"fmt"
	"time"

	"loa/store"
)

// prune deletes what LOA_RETENTION and LOA_AUDIT_RETENTION allow (the leader does it
// every hour too), or with --dry-run only says what would go.
func prune(c *call) error {
	dry, cfg := value(c, "dry-run", false), c.cfg
	p, err := c.st.Prune(c.ctx, time.Now(), store.Retention{Deliveries: cfg.Retention, Audit: cfg.AuditRetention}, dry)
	// What went before an error went for good: say it either way.
	c.say("%s (retention %s, audit log %s):\n", map[bool]string{false: "pruned", true: "would prune"}[dry],
		days(cfg.Retention), days(cfg.AuditRetention))
	c.say("  deliveries     %d  per-recipient rows of finished broadcasts (their counts stay)\n", p.Deliveries)
	c.say("  item bodies    %d  summaries of old items (the items stay)\n", p.ItemBodies)
	c.say("  drafts         %d  never confirmed, older than a day\n", p.Drafts)
	c.say("  audit entries  %d\n", p.AuditEntries)
	return err
}

// days writes a retention period in days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
