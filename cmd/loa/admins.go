package main

import (
	"fmt"
	"strconv"
	"time"

	"loa/chat"
	"loa/store"
)

// adminsChange adds or removes an admin kept in the database.
func adminsChange(add bool) func(env, []string) error {
	return func(e env, args []string) error {
		cmd := "admins remove"
		if add {
			cmd = "admins add"
		}
		fs := newFlags(cmd)
		name := fs.String("name", "", "who this is (for the list)")
		pos, err := parseArgs(fs, args, "CHANNEL", "USER_ID")
		if err != nil {
			return err
		}
		s, err := e.open()
		if err != nil {
			return err
		}
		done := "is now an admin"
		if add {
			_, err = s.ops.AddAdmin(e.ctx, e.actor(), pos[0], pos[1], *name)
		} else {
			err, done = s.ops.RemoveAdmin(e.ctx, e.actor(), pos[0], pos[1]), "is no longer an admin"
		}
		if err != nil {
			return fail(cmd, "", err)
		}
		_, err = fmt.Fprintf(e.stdout, "%s user %s %s\n", pos[0], pos[1], done)
		return err
	}
}

// adminsList prints the admins of LOA_ADMINS and of the database.
func (e env) adminsList(args []string) error {
	asJSON, err := jsonFlag(newFlags("admins list"), args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	as, err := s.st.Admins(e.ctx)
	if err != nil {
		return err
	}
	type row struct {
		Channel chat.Channel `json:"channel"`
		UserID  string       `json:"user_id"`
		Name    string       `json:"name,omitempty"`
		Source  string       `json:"source"`
	}
	out := []row{}
	for _, id := range s.cfg.Admins {
		out = append(out, row{chat.Telegram, strconv.FormatInt(id, 10), "", "LOA_ADMINS"})
	}
	for _, a := range as {
		out = append(out, row{a.Channel, a.UserID, a.Name, "database"})
	}
	return show(e, asJSON, out, "no admins; set LOA_ADMINS or run: loa admins add telegram USER_ID",
		"CHANNEL\tUSER ID\tNAME\tSOURCE", func(r row) []any { return []any{r.Channel, r.UserID, orDash(r.Name), r.Source} })
}

func (e env) audit(args []string) error {
	fs := newFlags("audit")
	limit := fs.Int("limit", 100, "how many entries, newest first")
	via := fs.String("via", "", "only what came through cli, bot or web")
	actor := fs.String("actor", "", `only what this actor did ("telegram:1001", "cli:alice")`)
	asJSON, err := jsonFlag(fs, args)
	if err != nil {
		return err
	}
	if *limit <= 0 {
		return usagef("audit: --limit must be above 0")
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	es, err := s.st.AuditEntries(e.ctx, store.AuditFilter{Limit: *limit, Via: store.Via(*via), Actor: *actor})
	if err != nil {
		return err
	}
	type row struct {
		At     time.Time `json:"at"`
		Actor  string    `json:"actor"`
		Via    string    `json:"via"`
		Action string    `json:"action"`
		Target string    `json:"target"`
		Detail string    `json:"detail,omitempty"`
	}
	out := make([]row, len(es))
	for i, x := range es {
		out[i] = row{x.At, x.Actor, string(x.Via), x.Action, x.Target, x.Detail}
	}
	return show(e, asJSON, out, "no audit entries", "WHEN\tWHO\tACTION\tTARGET\tDETAIL\tVIA", func(x row) []any {
		return []any{x.At.In(s.cfg.Location).Format("2006-01-02 15:04:05"), x.Actor, x.Action, x.Target, x.Detail, x.Via}
	})
}
