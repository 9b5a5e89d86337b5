package web

import (
	"context"
	"net/http"
	"strconv"

	"loa/admin"
	"loa/chat"
	"loa/store"
)

// Quản trị viên: the admins, invites for new ones, adding one by user id (as loa admins
// add), removal.

type adminsData struct {
	Env     []string
	Admins  []store.Admin
	Invites []store.Invite
	// Code is a code just made: shown once.
	Code string
	// Form is the invite's form, or a refused removal; Add is the add form.
	Form     form
	Add      form
	Me       string
	Channels []chat.Channel
}

func (c *Console) admins(w http.ResponseWriter, r *http.Request) {
	c.renderAdmins(w, r, adminsData{})
}

func (c *Console) renderAdmins(w http.ResponseWriter, r *http.Request, d adminsData) {
	as, err := c.Store.Admins(r.Context())
	if err != nil {
		c.failed(w, r, "admins", err)
		return
	}
	invites, err := c.Store.Invites(r.Context(), c.now())
	if err != nil {
		c.failed(w, r, "invites", err)
		return
	}
	d.Admins, d.Invites, d.Me, d.Channels = as, invites, sessionOf(r).Actor(), chat.Channels()
	for _, id := range c.EnvAdmins {
		d.Env = append(d.Env, strconv.FormatInt(id, 10))
	}
	c.page(w, r, "admins", "admins", d)
}

// invite: POST /quan-tri/moi makes an invite code and shows it once.
func (c *Console) invite(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, "name")
	code, _, err := c.Ops.CreateInvite(r.Context(), sessionOf(r).actor(), f.V("name"))
	if c.answered(w, r, &f, err, "create invite", func() {
		c.renderAdmins(w, r, adminsData{Form: f})
	}) {
		return
	}
	c.renderAdmins(w, r, adminsData{Code: code})
}

// removeAdmin: POST /quan-tri/xoa removes an admin of the database; their sessions end
// at their next request (every request checks). A refusal shows above the list.
func (c *Console) removeAdmin() http.HandlerFunc {
	return c.changeAdmins("removed", []string{"channel", "user_id"}, func(ctx context.Context, a admin.Actor, f form) error {
		return c.Ops.RemoveAdmin(ctx, a, f.V("channel"), f.V("user_id"))
	}, func(f form) adminsData { return adminsData{Form: form{Error: f.Message()}} })
}

// addAdmin: POST /quan-tri/them makes a messenger's user an admin by their user id, as
// `loa admins add` does; a refused field is shown next to it, with what was typed.
func (c *Console) addAdmin() http.HandlerFunc {
	return c.changeAdmins("added", []string{"channel", "user_id", "name"}, func(ctx context.Context, a admin.Actor, f form) error {
		_, err := c.Ops.AddAdmin(ctx, a, f.V("channel"), f.V("user_id"), f.V("name"))
		return err
	}, func(f form) adminsData { return adminsData{Add: f} })
}

// changeAdmins runs op on the posted fields, then goes back to the page with the
// outcome ok, or shows the page again with the refusal where refused puts it.
func (c *Console) changeAdmins(ok string, fields []string, op func(ctx context.Context, a admin.Actor, f form) error,
	refused func(form) adminsData) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := formFrom(r, fields...)
		err := op(r.Context(), sessionOf(r).actor(), f)
		switch {
		case c.refused(w, r, &f, err):
			c.renderAdmins(w, r, refused(f))
		case err != nil:
			c.failed(w, r, "admins: "+ok, err)
		default:
			seeOther(w, r, "/quan-tri", ok)
		}
	}
}
