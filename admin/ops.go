package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"loa/chat"
	"loa/scheduler"
	"loa/store"
)

// Ops runs admins' operations. Build it once (app.NewOps) and share it between the
// front ends of a process.
type Ops struct {
	Store *store.Store
	// Location is LOA_TIMEZONE: dates and times admins write, and schedules, are read in
	// it.
	Location *time.Location
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Poller primes a feed being added with the fetch that checked it (its Fetcher
	// fetches). Nil: AddFeed refuses.
	Poller *scheduler.Poller
	// Admins are LOA_ADMINS: Telegram user ids that are admins besides the database's.
	Admins []int64
}

func (o *Ops) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Ops) loc() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return time.UTC
}

// as is the store's writes on behalf of a.
func (o *Ops) as(a Actor) store.Audited { return o.Store.As(a.audit()) }

// CheckChannel accepts a messenger's name (chat.ParseChannel: "telegram" or "zalo"); ""
// too when empty is allowed (an audience on every channel). A bad one is a FieldError
// on FieldChannel.
func CheckChannel(ch string, emptyOK bool) error {
	if ch == "" {
		if emptyOK {
			return nil
		}
		return fieldErr(FieldChannel, CodeRequired, "", channelWant)
	}
	if _, err := chat.ParseChannel(ch); err != nil {
		return fieldErr(FieldChannel, CodeInvalid, ch, channelWant)
	}
	return nil
}

// channelWant is CheckChannel's English hint: the channels there are.
var channelWant = fmt.Sprintf("want %s or %s", chat.Telegram, chat.Zalo)

// IsAdmin reports whether a messenger's user is a loa admin: in LOA_ADMINS (Telegram)
// or in the database.
func (o *Ops) IsAdmin(ctx context.Context, channel, userID string) (bool, error) {
	if chat.Channel(channel) == chat.Telegram {
		if id, err := strconv.ParseInt(userID, 10, 64); err == nil {
			for _, x := range o.Admins {
				if x == id {
					return true, nil
				}
			}
		}
	}
	return o.Store.IsAdmin(ctx, chat.Channel(channel), userID)
}

// AddAdmin makes a messenger's user an admin (kept in the database). A Telegram user id
// is a number; any id is 1 to 64 characters; the name at most MaxInviteName.
func (o *Ops) AddAdmin(ctx context.Context, a Actor, channel, userID, name string) (store.Admin, error) {
	userID, err := checkAdminID(channel, userID)
	if err != nil {
		return store.Admin{}, err
	}
	if name, err = checkAdminName(name); err != nil {
		return store.Admin{}, err
	}
	ad, err := o.as(a).AddAdmin(ctx, store.Admin{Channel: chat.Channel(channel), UserID: userID, Name: name})
	if errors.Is(err, store.ErrAdminExists) {
		return store.Admin{}, &FieldError{Field: FieldUserID, Code: CodeTaken, Value: channel + ":" + userID}
	}
	return ad, err
}

// RemoveAdmin removes an admin kept in the database (those in LOA_ADMINS are removed
// there: ErrNotFound).
func (o *Ops) RemoveAdmin(ctx context.Context, a Actor, channel, userID string) error {
	userID, err := checkAdminID(channel, userID)
	if err != nil {
		return err
	}
	err = o.as(a).RemoveAdmin(ctx, chat.Channel(channel), userID)
	if errors.Is(err, store.ErrNotFound) {
		return &ObjectError{Object: ObjAdmin, Name: channel + ":" + userID, Err: ErrNotFound}
	}
	return err
}

func checkAdminID(channel, userID string) (string, error) {
	if err := CheckChannel(channel, false); err != nil {
		return "", err
	}
	uid := strings.TrimSpace(userID)
	if uid == "" || len(uid) > 64 {
		return "", fieldErr(FieldUserID, CodeInvalid, userID, "want 1 to 64 characters")
	}
	if _, err := strconv.ParseInt(uid, 10, 64); chat.Channel(channel) == chat.Telegram && err != nil {
		return "", fieldErr(FieldUserID, CodeInvalid, userID, "a Telegram user id is a number")
	}
	return uid, nil
}

// conflict is the ConflictError of an edit of o (the audit target) made from version
// seen, the object being at version now: the edits since, from the audit log.
func (o *Ops) conflict(ctx context.Context, obj Object, id int64, seen, now int) error {
	ce := &ConflictError{Object: obj, ID: id, Seen: seen, Now: now}
	es, err := o.Store.AuditEntries(ctx, store.AuditFilter{Target: fmt.Sprintf("%s %d", obj, id), Action: string(obj) + ".edit", Limit: 50})
	if err != nil {
		return err
	}
	for i := len(es) - 1; i >= 0; i-- {
		v, fields, ok := parseEditDetail(es[i].Detail)
		if ok && v > seen {
			ce.Changes = append(ce.Changes, Change{Version: v, By: es[i].Actor, Via: es[i].Via, At: es[i].At, Fields: fields})
		}
	}
	return ce
}

// editable is a kind of object admins edit from the version they saw, so that an edit
// made on a page gone stale is refused with the edits since rather than undoing them:
// how to read one, and its version.
type editable[T any] struct {
	obj     Object
	load    func(s *store.Store, ctx context.Context, id int64) (T, error)
	version func(T) int
}

// from reads object id for an edit made from version seen (0: the current one) and
// returns it with the version the edit is made from: an unknown id is an ObjectError,
// an object at another version than seen a ConflictError with the edits since.
func (e editable[T]) from(ctx context.Context, o *Ops, id int64, seen int) (T, int, error) {
	var zero T
	cur, err := e.load(o.Store, ctx, id)
	if err != nil {
		return zero, 0, objectErr(e.obj, id, err)
	}
	if seen == 0 {
		seen = e.version(cur)
	}
	if seen != e.version(cur) {
		return zero, 0, o.conflict(ctx, e.obj, id, seen, e.version(cur))
	}
	return cur, seen, nil
}

// staleConflict is the ConflictError of an update the store refused as stale (another
// edit came between from's read and the write), against the version stored now; nil
// for any other outcome, the caller's to handle.
func (e editable[T]) staleConflict(ctx context.Context, o *Ops, id int64, seen int, err error) error {
	if !errors.Is(err, store.ErrStale) {
		return nil
	}
	now, err := e.load(o.Store, ctx, id)
	if err != nil {
		return nil
	}
	return o.conflict(ctx, e.obj, id, seen, e.version(now))
}

// editDetail is how an edit is recorded in the audit log: "version 3: title, date".
// conflict reads it back.
func editDetail(version int, fields []Field) string {
	return fmt.Sprintf("version %d: %s", version, joinFields(fields))
}

func parseEditDetail(s string) (version int, fields []Field, ok bool) {
	head, rest, found := strings.Cut(s, ": ")
	vs, isVersion := strings.CutPrefix(head, "version ")
	if !found || !isVersion {
		return 0, nil, false
	}
	v, err := strconv.Atoi(vs)
	if err != nil {
		return 0, nil, false
	}
	for _, f := range strings.Split(rest, ", ") {
		if f != "" {
			fields = append(fields, Field(f))
		}
	}
	return v, fields, true
}
