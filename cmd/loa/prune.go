package main

import (
	"fmt"
	"time"

	"loa/store"
)

// prune deletes what LOA_RETENTION and LOA_AUDIT_RETENTION allow (the leader does it
// every hour too), or with --dry-run only says what would go.
func (e env) prune(args []string) error {
	fs := newFlags("prune")
	dry := fs.Bool("dry-run", false, "only count what would go")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	st, cfg := s.st, s.cfg
	p, err := st.Prune(e.ctx, time.Now(), store.Retention{Deliveries: cfg.Retention, Audit: cfg.AuditRetention}, *dry)
	verb := "pruned"
	if *dry {
		verb = "would prune"
	}
	// What went before an error went for good: say it either way.
	fmt.Fprintf(e.stdout, "%s (retention %s, audit log %s):\n", verb, days(cfg.Retention), days(cfg.AuditRetention))
	fmt.Fprintf(e.stdout, "  deliveries     %d  per-recipient rows of finished broadcasts (their counts stay)\n", p.Deliveries)
	fmt.Fprintf(e.stdout, "  item bodies    %d  summaries of old items (the items stay)\n", p.ItemBodies)
	fmt.Fprintf(e.stdout, "  drafts         %d  never confirmed, older than a day\n", p.Drafts)
	fmt.Fprintf(e.stdout, "  audit entries  %d\n", p.AuditEntries)
	return err
}

// days writes a retention period in days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
