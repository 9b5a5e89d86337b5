package main

import (
	"loa/admin"
	"loa/store"
)

// adminsChange adds or removes an admin kept in the database.
func adminsChange(add bool) func(*call) error {
	return func(c *call) error {
		name := c.str("name", "")
		s, pos, err := c.open("CHANNEL", "USER_ID")
		if err != nil {
			return err
		}
		done := "is now an admin"
		if add {
			_, err = s.ops.AddAdmin(c.ctx, c.actor(), pos[0], pos[1], *name)
		} else {
			err, done = s.ops.RemoveAdmin(c.ctx, c.actor(), pos[0], pos[1]), "is no longer an admin"
		}
		if err != nil {
			return c.fail("", err)
		}
		return c.say("%s user %s %s\n", pos[0], pos[1], done)
	}
}

func adminsList(c *call) error {
	s, _, err := c.open()
	if err != nil {
		return err
	}
	list, err := s.ops.AdminList(c.ctx)
	return show(c, list, err, "no admins; set LOA_ADMINS or run: loa admins add telegram USER_ID",
		"CHANNEL\tUSER ID\tNAME\tSOURCE", func(a admin.AdminView) []any { return []any{a.Channel, a.UserID, a.Name, a.Source} })
}

func audit(c *call) error {
	limit, via, actor := c.num("limit", 100), c.str("via", ""), c.str("actor", "")
	s, _, err := c.open()
	if err != nil {
		return err
	}
	if *limit <= 0 {
		return usagef("audit: --limit must be above 0")
	}
	list, err := s.ops.Audit(c.ctx, store.AuditFilter{Limit: *limit, Via: store.Via(*via), Actor: *actor})
	return show(c, list, err, "no audit entries", "WHEN\tWHO\tACTION\tTARGET\tDETAIL\tVIA", func(x admin.AuditView) []any {
		return []any{x.At.In(s.cfg.Location).Format("2006-01-02 15:04:05"), x.Actor, x.Action, x.Target, x.Detail, x.Via}
	})
}
