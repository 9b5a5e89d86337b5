package main

import (
	"loa/admin"
	"loa/store"
)

// adminsChange adds or removes an admin kept in the database.
func adminsChange(add bool) func(*call) error {
	return func(c *call) error {
		ch, id := c.pos[0], c.pos[1]
		if add {
			_, err := c.ops.AddAdmin(c.ctx, c.actor(), ch, id, value(c, "name", ""))
			return c.done(err, "", "%s user %s is now an admin\n", ch, id)
		}
		return c.done(c.ops.RemoveAdmin(c.ctx, c.actor(), ch, id), "", "%s user %s is no longer an admin\n", ch, id)
	}
}

func adminsList(c *call) error {
	list, err := c.ops.AdminList(c.ctx)
	return show(c, list, err, "no admins; set LOA_ADMINS or run: loa admins add telegram USER_ID",
		"CHANNEL\tUSER ID\tNAME\tSOURCE", func(a admin.AdminView) []any { return []any{a.Channel, a.UserID, a.Name, a.Source} })
}

func audit(c *call) error {
	limit := value(c, "limit", 100)
	if limit <= 0 {
		return usagef("audit: --limit must be above 0")
	}
	list, err := c.ops.Audit(c.ctx, store.AuditFilter{Limit: limit, Via: store.Via(value(c, "via", "")), Actor: value(c, "actor", "")})
	return show(c, list, err, "no audit entries", "WHEN\tWHO\tACTION\tTARGET\tDETAIL\tVIA", func(x admin.AuditView) []any {
		return []any{x.At, x.Actor, x.Action, x.Target, x.Detail, x.Via}
	})
}
