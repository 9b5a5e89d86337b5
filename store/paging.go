package store

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paging of long lists (the web console's broadcasts, subscribers, audit log and
// announcements) is by keyset, never OFFSET. A page is the rows that come after (or
// before) a cursor, the sort key of the last (or first) row the previous page showed,
// read from an index in the list's order starting at that key and stopped after one
// row more than the page (which says whether there is a page beyond). So page 500
// reads what page 1 reads, and a row added or deleted meanwhile never makes another
// one skip a page or show twice. Each list's order ends in its id, which is unique, so
// rows with the same time (audit entries of one transaction share now()) are ordered
// and none is lost between two pages.

// Cursor is a row's place in a list: its sort time (zero for the lists ordered by id
// alone) and its id.
type Cursor struct {
	At time.Time
	ID int64
}

// IsZero says the cursor is unset: the first page.
func (c Cursor) IsZero() bool { return c.ID == 0 }

// String is the cursor as a link carries it: "ID", or "MICROSECONDS_ID" when it has a
// time (PostgreSQL keeps microseconds, so the round trip is exact).
func (c Cursor) String() string {
	if c.At.IsZero() {
		return strconv.FormatInt(c.ID, 10)
	}
	return strconv.FormatInt(c.At.UnixMicro(), 10) + "_" + strconv.FormatInt(c.ID, 10)
}

// ErrBadCursor is a cursor that String did not write (a link edited by hand, or cut
// short).
var ErrBadCursor = errors.New("malformed page cursor")

// ParseCursor reads a cursor String wrote. timed says the list is ordered by time: its
// cursors must carry one, and the others must not.
func ParseCursor(s string, timed bool) (Cursor, error) {
	at, id, hasTime := strings.Cut(s, "_")
	if !hasTime {
		id = at
	}
	if hasTime != timed {
		return Cursor{}, fmt.Errorf("%w: %q", ErrBadCursor, s)
	}
	var c Cursor
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return Cursor{}, fmt.Errorf("%w: %q", ErrBadCursor, s)
	}
	c.ID = n
	if timed {
		us, err := strconv.ParseInt(at, 10, 64)
		if err != nil || strconv.FormatInt(us, 10) != at {
			return Cursor{}, fmt.Errorf("%w: %q", ErrBadCursor, s)
		}
		c.At = time.UnixMicro(us).UTC()
	}
	return c, nil
}

// Page asks for one page of a list. With neither cursor set it is the first page.
type Page struct {
	// After asks for the rows that come after this one in the list's order (the next
	// page); Before for those that come before it (the previous page). Set one at most;
	// Before wins.
	After, Before Cursor
	// Size is the rows on a page (0: 100).
	Size int
}

func (p Page) size() int {
	if p.Size <= 0 {
		return 100
	}
	return p.Size
}

func (p Page) back() bool { return !p.Before.IsZero() }

// Paged is one page of a list, in the list's order.
type Paged[T any] struct {
	Rows []T
	// HasBefore and HasAfter say whether rows come before the first row and after the
	// last (both false on an empty page).
	HasBefore, HasAfter bool
	// First and Last are the cursors of the first and last rows (zero on an empty page):
	// the previous page is Page{Before: First}, the next Page{After: Last}.
	First, Last Cursor
}

// listOrder is how a list is ordered: by a time column then the id (timeCol set), or
// by the id alone; newest (highest) first when desc.
type listOrder struct {
	timeCol, idCol string
	desc           bool
}

// keyset returns the condition that keeps the rows of page p (with its arguments,
// numbered from $n) and the ORDER BY it reads them in: the list's order walking forward,
// the reverse walking back from Before (pageOf turns them round again). The limit is
// one row more than the page.
func (o listOrder) keyset(p Page, n int) (cond, order string, args []any) {
	cur, back := p.After, p.back()
	if back {
		cur = p.Before
	}
	asc := o.desc == back // the direction the rows are read in
	cols, dir := o.idCol, " DESC"
	if o.timeCol != "" {
		cols = o.timeCol + ", " + o.idCol
	}
	if asc {
		dir = ""
	}
	order = strings.ReplaceAll(cols, ",", dir+",") + dir
	if cur.IsZero() {
		return "true", order, nil
	}
	op := "<"
	if asc {
		op = ">"
	}
	if o.timeCol == "" {
		return fmt.Sprintf("%s %s $%d", o.idCol, op, n), order, []any{cur.ID}
	}
	return fmt.Sprintf("(%s) %s ($%d, $%d)", cols, op, n, n+1), order, []any{cur.At, cur.ID}
}

// pageOf makes the page of p from rows read in keyset's order and limit: at most
// one row more than the page, which tells whether there is more in the direction read.
func pageOf[T any](rows []T, p Page, key func(T) Cursor) Paged[T] {
	more := len(rows) > p.size()
	if more {
		rows = rows[:p.size()]
	}
	out := Paged[T]{Rows: rows}
	if len(rows) == 0 {
		return out
	}
	if p.back() {
		slices.Reverse(rows)
		out.HasBefore, out.HasAfter = more, true
	} else {
		out.HasBefore, out.HasAfter = !p.After.IsZero(), more
	}
	out.First, out.Last = key(rows[0]), key(rows[len(rows)-1])
	return out
}
