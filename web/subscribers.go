package web

import (
	"net/http"
	"net/url"

	"loa/admin"
)

// Người nhận: the list is in read.go; here the one action on a subscriber, lifting the
// pause of a chat where the bot had lost its right to post (as `loa subscribers resume`).

// resumeSubscriber: POST /nguoi-nhan/{id}/gui-tiep lets a paused chat's waiting
// messages go out (audited). Back to the list, with its filters and page (the form's
// "ve"), and the outcome; a chat that was not paused, or is unknown, gets a page saying
// so.
func (c *Console) resumeSubscriber() http.HandlerFunc {
	return c.onObject("người nhận", func(w http.ResponseWriter, r *http.Request, id int64) error {
		res, err := c.Ops.ResumeSubscriber(r.Context(), sessionOf(r).actor(), id)
		switch {
		case err != nil:
			return err
		case !res.WasPaused:
			c.render(w, r, http.StatusOK, "message", message{Title: "Không có gì thay đổi", Text: admin.ResumedMessage(res), Back: subscribersBack(r)})
		default:
			seeOther(w, r, subscribersBack(r), "gui-tiep")
		}
		return nil
	}, func(w http.ResponseWriter, r *http.Request, _ int64, refusal string) {
		c.render(w, r, http.StatusNotFound, "message", message{Title: "Không gửi tiếp được", Text: refusal, Back: subscribersBack(r)})
	})
}

// subscribersBack is the subscribers' list the form came from: only its query is
// taken from the form, re-encoded, so it can name no other page.
func subscribersBack(r *http.Request) string {
	if q := listQuery(r.PostFormValue("ve")); q != "" {
		return "/nguoi-nhan?" + q
	}
	return "/nguoi-nhan"
}

// listQuery is a list page's query without the outcome of an action ("ok"),
// re-encoded; "" when there is none or it does not parse.
func listQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	q.Del("ok")
	return q.Encode()
}
