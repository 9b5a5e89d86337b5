package admin

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"loa/store"
)

// Field names the input at fault in a FieldError: a form field of the web console, a
// flag of the CLI, a part of a bot command.
type Field string

// The fields.
const (
	FieldID       Field = "id"
	FieldText     Field = "text"
	FieldTopic    Field = "topic"
	FieldChannel  Field = "channel"
	FieldWhen     Field = "when" // at, cron, repeat and event together: which one
	FieldAt       Field = "at"
	FieldCron     Field = "cron"
	FieldRepeat   Field = "repeat"
	FieldWeekdays Field = "weekdays"
	FieldDay      Field = "day"
	FieldMonth    Field = "month"
	FieldEvent    Field = "event"
	FieldTime     Field = "time"
	FieldURL      Field = "url"
	FieldInterval Field = "interval"
	FieldFile     Field = "file"
	FieldTitle    Field = "title"
	FieldDate     Field = "date"
	FieldLunar    Field = "lunar"
	FieldLeap     Field = "leap"
	FieldFounded  Field = "founded"
	FieldCategory Field = "category"
	FieldAdvance  Field = "advance"
	FieldSlug     Field = "slug"
	FieldSource   Field = "source"
	FieldUserID   Field = "user_id"
	// The calendar's views: a period, a number of days, an export's format and years.
	FieldFrom     Field = "from"
	FieldTo       Field = "to"
	FieldDays     Field = "days"
	FieldFormat   Field = "format"
	FieldFromYear Field = "from_year"
	FieldToYear   Field = "to_year"
	// FieldInviteName is an admin's name: given by an invite, or with AddAdmin.
	FieldInviteName Field = "name"
)

// Code says what is wrong with a field.
type Code string

// The codes.
const (
	// CodeRequired: empty (an announcement of formatting marks only is empty too).
	CodeRequired Code = "required"
	// CodeInvalid: cannot be read, or is not allowed in it (bytes that are not text, a
	// date that does not exist); Reason may say more.
	CodeInvalid Code = "invalid"
	// CodeTooLong: N characters, at most Limit.
	CodeTooLong Code = "too_long"
	// CodeOutOfRange: a number outside what is allowed (Reason says which).
	CodeOutOfRange Code = "out_of_range"
	// CodeReserved: the topic "all" for a feed.
	CodeReserved Code = "reserved"
	// CodePast: a time (Time) that has passed (Now).
	CodePast Code = "past"
	// CodeNever: a schedule with no run ahead.
	CodeNever Code = "never"
	// CodeConflicting: given together with another field that excludes it (Other).
	CodeConflicting Code = "conflicting"
	// CodeTaken: a slug, a feed's URL or an admin already there.
	CodeTaken Code = "taken"
	// CodeNotFound: the object the field names (Value, its id) does not exist.
	CodeNotFound Code = "not_found"
	// CodeBuiltin: a built-in event's slug cannot change.
	CodeBuiltin Code = "builtin"
	// CodeNotFeed: the URL was fetched and is not a feed, or could not be fetched; Reason
	// says why.
	CodeNotFeed Code = "not_feed"
)

// FieldError refuses an input: which field, what is wrong, and what an admin needs to
// fix it. Nothing was written.
type FieldError struct {
	Field Field
	Code  Code
	// Value is what was given, when worth repeating (a topic, a URL, a date).
	Value string
	// N and Limit: the length of a text and its limit (CodeTooLong).
	N, Limit int
	// Other names the field that excludes this one (CodeConflicting).
	Other Field
	// Time and Now are the time refused and the present (CodePast), in the configured
	// zone.
	Time, Now time.Time
	// Reason is the detail from below, in English (a fetch error, the calendar's rule).
	Reason string
}

func (e *FieldError) Error() string { return e.ErrorAs(string(e.Field), string(e.Other)) }

// ErrorAs is the English message with the field and the other field (CodeConflicting)
// called name and other: the CLI's flags ("--text"). An empty name leaves the field
// unnamed (a positional argument: its value alone).
func (e *FieldError) ErrorAs(name, other string) string {
	subject := name
	if e.Value != "" {
		subject = strings.TrimSpace(subject + " " + strconv.Quote(e.Value))
	}
	var msg string
	switch e.Code {
	case CodeRequired:
		return "needs " + name
	case CodeTooLong:
		return fmt.Sprintf("%s is %d characters; at most %d", name, e.N, e.Limit)
	case CodeReserved:
		return subject + " is reserved for announcements to every subscriber; choose another"
	case CodePast:
		return fmt.Sprintf("%s %s is in the past", name, e.Time.Format("2006-01-02 15:04 MST"))
	case CodeNever:
		return name + ": that schedule never runs"
	case CodeConflicting:
		if e.Reason == "" {
			return fmt.Sprintf("give %s or %s, not both", other, name)
		}
	case CodeTaken:
		msg = map[Field]string{FieldURL: "is already configured", FieldUserID: "is already an admin",
			FieldSlug: "is taken: another event already uses this slug"}[e.Field]
		if msg == "" {
			msg = "is already taken"
		}
	case CodeNotFound:
		msg = "not found"
	case CodeBuiltin:
		msg = "is refused: the slug of a built-in event cannot change (disable the event instead)"
	case CodeNotFeed:
		msg = "is not a feed"
	}
	switch {
	case e.Reason == "":
		if msg == "" {
			msg = "is invalid"
		}
		return subject + " " + msg
	case strings.HasPrefix(e.Reason, "is ") || strings.HasPrefix(e.Reason, "says "):
		return subject + " " + e.Reason // a clause: "--leap is for lunar dates"
	case msg != "":
		return subject + " " + msg + ": " + e.Reason
	}
	return subject + ": " + e.Reason
}

// fieldErr is a FieldError with a reason.
func fieldErr(f Field, c Code, value, reason string) *FieldError {
	return &FieldError{Field: f, Code: c, Value: value, Reason: reason}
}

// Object names what an operation acts on, in errors about one of them.
type Object string

// The objects.
const (
	ObjAnnouncement Object = "announcement"
	ObjDraft        Object = "draft"
	ObjBroadcast    Object = "broadcast"
	ObjEvent        Object = "event"
	ObjFeed         Object = "feed"
	ObjAdmin        Object = "admin"
	ObjSubscriber   Object = "subscriber"
	ObjInvite       Object = "invite"
)

// Errors about the state of one object; an *ObjectError wraps them with the object and
// its id, so errors.Is works on either.
var (
	ErrNotFound = store.ErrNotFound
	// ErrNotAuthor: a draft is its author's until confirmed; a *store.NotAuthorError
	// names the author.
	ErrNotAuthor = store.ErrNotAuthor
	// ErrNotDraft: confirmed or discarded already.
	ErrNotDraft = store.ErrNotDraft
	// ErrAlreadyCancelled: an announcement cancelled before.
	ErrAlreadyCancelled = store.ErrAlreadyCancelled
	// ErrNotScheduled: an announcement done or cancelled cannot be edited.
	ErrNotScheduled = store.ErrNotScheduled
	// ErrConflict: a *ConflictError, an edit made from a version replaced since.
	ErrConflict = errors.New("changed by someone else since it was read")
	// ErrNoPrivateChat: a test needs the admin's own private chat with the bot on their
	// messenger, which they never opened (or it can no longer be reached).
	ErrNoPrivateChat = store.ErrNoPrivateChat
)

// ObjectError is an operation refused because of the state of one object.
type ObjectError struct {
	Object Object
	ID     int64 // 0 when the object has none (an admin)
	// Name names it when it has no id ("telegram:1001").
	Name string
	Err  error
}

func (e *ObjectError) Error() string {
	who := fmt.Sprintf("%s %d", e.Object, e.ID)
	if e.Name != "" {
		who = fmt.Sprintf("%s %s", e.Object, e.Name)
	}
	var na *store.NotAuthorError
	if errors.As(e.Err, &na) {
		return fmt.Sprintf("%s belongs to %s", who, na.Author)
	}
	for _, s := range []error{ErrNotFound, ErrNotDraft, ErrAlreadyCancelled, ErrNotScheduled, ErrNoPrivateChat, ErrInviteInvalid, ErrAlreadyAdmin} {
		if errors.Is(e.Err, s) {
			return who + ": " + s.Error()
		}
	}
	return who + ": " + e.Err.Error()
}

// Unwrap gives the reason.
func (e *ObjectError) Unwrap() error { return e.Err }

// objectErr wraps the store's refusals about one object (not found, not a draft, …) in
// an *ObjectError; other errors pass through.
func objectErr(o Object, id int64, err error) error {
	for _, s := range []error{ErrNotFound, ErrNotAuthor, ErrNotDraft, ErrAlreadyCancelled, ErrNotScheduled, ErrNoPrivateChat} {
		if errors.Is(err, s) {
			var na *store.NotAuthorError
			if errors.As(err, &na) {
				return &ObjectError{Object: o, ID: id, Err: na}
			}
			return &ObjectError{Object: o, ID: id, Err: s}
		}
	}
	return err
}

// Change is one edit made since the version an admin saw.
type Change struct {
	Version int // the version it made
	By      string
	Via     Via
	At      time.Time
	Fields  []Field
}

// ConflictError refuses an edit made from version Seen of an object now at version Now:
// someone else changed it meanwhile. Changes says what they changed (from the audit log;
// empty when those entries were pruned).
type ConflictError struct {
	Object    Object
	ID        int64
	Seen, Now int
	Changes   []Change
}

func (e *ConflictError) Error() string {
	var parts []string
	for _, c := range e.Changes {
		parts = append(parts, fmt.Sprintf("%s changed %s", c.By, joinFields(c.Fields)))
	}
	msg := fmt.Sprintf("%s %d was changed since version %d (now %d)", e.Object, e.ID, e.Seen, e.Now)
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, "; ")
	}
	return msg + "; read it again and redo the edit"
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Fields is every field changed since the version seen, each once.
func (e *ConflictError) Fields() []Field {
	var out []Field
	seen := map[Field]bool{}
	for _, c := range e.Changes {
		for _, f := range c.Fields {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func joinFields(fs []Field) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// ImportError refuses a whole import (nothing was written): the entries at fault.
type ImportError struct {
	File    string
	Entries []EntryError
}

// EntryError is one entry of an import at fault: its place (1-based), a name to find it
// by, and why.
type EntryError struct {
	N    int
	Name string
	Err  error
}

func (e *ImportError) Error() string {
	lines := make([]string, len(e.Entries))
	for i, x := range e.Entries {
		lines[i] = fmt.Sprintf("entry %d (%s): %v", x.N, x.Name, x.Err)
	}
	return fmt.Sprintf("%s: nothing imported:\n  %s", e.File, strings.Join(lines, "\n  "))
}
