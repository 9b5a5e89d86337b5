package main

import (
	"errors"
	"fmt"
	"strings"

	"loa/chat"
	"loa/web"
)

// webLink: loa web link CHANNEL USER_ID prints a one-time sign-in link to the web
// console, for an admin's first sign-in (afterwards they send /web to the bot).
func webLink(c *call) error {
	ch, uid := c.pos[0], strings.TrimSpace(c.pos[1])
	if _, err := chat.ParseChannel(ch); err != nil {
		return usagef("web link: %v", err)
	}
	links := &web.Links{Store: c.st, PublicURL: c.cfg.PublicURL, IsAdmin: c.ops.IsAdmin}
	link, err := links.SignInLink(c.ctx, ch, uid)
	switch {
	case errors.Is(err, web.ErrNotAdmin):
		return fmt.Errorf("%s user %s is not an admin: add them first (loa admins add %s %s), or put a Telegram id in LOA_ADMINS", ch, uid, ch, uid)
	case err != nil:
		return err
	}
	fmt.Fprintf(c.stderr, "open it within %s; it signs in once\n", web.LinkLifetime)
	return c.say("%s\n", link)
}
