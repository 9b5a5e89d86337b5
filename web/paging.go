package web

import (
	"net/http"

	"loa/store"
)

// Paging of the long lists (Bản tin, Người nhận, Nhật ký, Thông báo): the store pages by
// keyset (see store/paging.go); a page's links carry the cursor of its first or last
// row in ?truoc= or ?sau=, beside the list's filters, so an admin can walk years of
// history forward and back, and a link kept or shared shows the same rows.

// defaultPageSize is the rows of a list page.
const defaultPageSize = 50

// The query parameters that say which page: the rows after a cursor (the next page) or
// before it (the previous one).
const (
	paramAfter  = "sau"
	paramBefore = "truoc"
)

// badCursorText is shown above the first page when the link's cursor is not one the
// console wrote (edited by hand, cut short in a chat).
const badCursorText = "Đường dẫn tới trang này không đúng (có thể đã bị sửa hoặc bị cắt mất một phần), nên đây là trang đầu của danh sách."

func (c *Console) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	return defaultPageSize
}

// pageAsked reads the page a request asks for. timed says the list's cursors carry a
// time. A cursor the console did not write gives the first page and the text that says
// so.
func (c *Console) pageAsked(r *http.Request, timed bool) (store.Page, string) {
	p := store.Page{Size: c.pageSize()}
	q := r.URL.Query()
	var err error
	switch {
	case q.Has(paramBefore):
		p.Before, err = store.ParseCursor(q.Get(paramBefore), timed)
	case q.Has(paramAfter):
		p.After, err = store.ParseCursor(q.Get(paramAfter), timed)
	}
	if err != nil {
		return store.Page{Size: p.Size}, badCursorText
	}
	return p, ""
}

// pager is what the "pager" partial shows: links to the previous and next pages and
// back to the first, each keeping the list's filters, and a notice about a bad link.
type pager struct {
	Prev, Next, First string
	Notice            string
}

// pagerOf makes the links of page pg of the list at r's path, from the query r had
// (its filters), without the cursor it was asked with.
func pagerOf[T any](r *http.Request, pg store.Paged[T], notice string) pager {
	link := func(param string, at store.Cursor) string {
		q := r.URL.Query()
		q.Del(paramAfter)
		q.Del(paramBefore)
		q.Del("ok") // the flash of an action belongs to the page it followed
		if param != "" {
			q.Set(param, at.String())
		}
		if len(q) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + q.Encode()
	}
	p := pager{Notice: notice}
	if pg.HasBefore {
		p.Prev = link(paramBefore, pg.First)
	}
	if pg.HasAfter {
		p.Next = link(paramAfter, pg.Last)
	}
	q := r.URL.Query()
	if (q.Has(paramAfter) || q.Has(paramBefore)) && notice == "" && (pg.HasBefore || len(pg.Rows) == 0) {
		p.First = link("", store.Cursor{})
	}
	return p
}
