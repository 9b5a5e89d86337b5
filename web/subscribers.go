package web

import (
	"net/http"

	"loa/admin"
)

// Người nhận: the list is in read.go; here the one action on a subscriber, lifting the
// pause of a chat where the bot had lost its right to post (as `loa subscribers resume`).

func (c *Console) subscriberRoutes(mux *http.ServeMux) {
	mux.Handle("POST /nguoi-nhan/{id}/gui-tiep", c.auth(c.resumeSubscriber()))
}

// resumeSubscriber: POST /nguoi-nhan/{id}/gui-tiep lets a paused chat's waiting
// messages go out (audited). Back to the list with the outcome; a chat that was not
// paused, or is unknown, gets a page saying so.
func (c *Console) resumeSubscriber() http.HandlerFunc {
	return c.onObject("người nhận", func(w http.ResponseWriter, r *http.Request, id int64) error {
		res, err := c.Ops.ResumeSubscriber(r.Context(), sessionOf(r).actor(), id)
		switch {
		case err != nil:
			return err
		case !res.WasPaused:
			c.render(w, r, http.StatusOK, "message", message{Title: "Không có gì thay đổi", Text: admin.ResumedMessage(res), Back: "/nguoi-nhan"})
		default:
			seeOther(w, r, "/nguoi-nhan", "gui-tiep")
		}
		return nil
	}, func(w http.ResponseWriter, r *http.Request, _ int64, refusal string) {
		c.render(w, r, http.StatusNotFound, "message", message{Title: "Không gửi tiếp được", Text: refusal, Back: "/nguoi-nhan"})
	})
}
