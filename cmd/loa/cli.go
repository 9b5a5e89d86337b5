package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"loa/admin"
	"loa/app"
	"loa/config"
	"loa/store"
)

// command is one line of the usage and what runs it: the words that name it ("feeds
// add"), what follows them, which declares the command's arguments and flags (declare;
// "\n" starts a continuation line), one line of help.
type command struct {
	words, args, help string
	run               func(c *call) error
}

// commands is the one table of the CLI: the usage text, the flags and the dispatch all
// come from it. Each group lives in its own file (feeds.go, calendar.go, …).
func commands() []command {
	return []command{
		{"serve", "", "run the service (migrates the database first)", serve},
		{"migrate", "", "apply database migrations and exit", migrate},
		{"feeds add", "URL [--topic T] [--interval D]", "check that URL is a feed and add it", feedsAdd},
		{"feeds list", "[--json]", "list feeds and their polling state", feedsList},
		{"feeds edit", "ID [--topic T] [--interval D]", "change a feed's topic or poll interval", feedsEdit},
		{"feeds remove", "ID", "remove a feed (its broadcasts stay)", feedsRemove},
		{"feeds disable", "ID", "stop polling a feed (enable ID brings it back)", feedsDisable},
		{"feeds enable", "ID", "poll a disabled feed again", feedsEnable},
		{"feeds import", "FILE.opml [--interval D]", "add every feed of an OPML file", feedsImport},
		{"feeds export", "", "print the feeds as OPML", feedsExport},
		{"broadcasts list", "[--json]", "broadcasts with delivery progress", broadcastsList},
		{"broadcasts show", "ID", "one broadcast, failures counted by reason", broadcastsShow},
		{"broadcasts cancel", "ID", "stop a broadcast's pending deliveries", broadcastsCancel},
		{"subscribers list", "[--json]", "chats that subscribed, their status and topics", subscribersList},
		{"subscribers stats", "[--json]", "subscribers counted by channel, kind and status", subscribersStats},
		{"subscribers resume", "ID", "resume a chat paused because the bot lost its right to post", subscribersResume},
		{"calendar list", "[--json] [--all]", "commemorative days (--all: with the disabled ones)", calendarList},
		{"calendar add", "--title T (--date d/m[/yyyy] | --lunar d/m [--leap]) [--founded YYYY]\n" +
			"[--category national|province|organisation] [--advance N] [--slug S] [--source S]", "add an event", calendarAdd},
		{"calendar edit", "ID [--title T] [--date d/m[/yyyy] | --lunar d/m [--leap]] [--founded YYYY]\n" +
			"[--category national|province|organisation] [--advance N] [--slug S] [--source S]",
			"change what the flags say, nothing else", calendarEdit},
		{"calendar disable", "ID", "stop an event's notices (enable ID brings them back)", calendarEnable(false)},
		{"calendar enable", "ID", "send an event's notices again", calendarEnable(true)},
		{"calendar import", "FILE.csv", "add or update events from CSV, all or nothing", calendarImport},
		{"calendar export", "[--format csv|ics] [--from-year Y] [--to-year Y]", "print the events as CSV or iCalendar", calendarExport},
		{"calendar banner", "--from DATE --to DATE", "the greeting for the anniversaries in that range", calendarBanner},
		{"calendar upcoming", "[--from DATE] [--days N] [--json]", "the notices of the coming days (default: 30 from today)", calendarUpcoming},
		{"calendar convert", "DATE [--to-solar [--leap]] [--json]", "solar ↔ lunar date (DATE: 2025-08-10 or 10/8/2025;\n" +
			"with --to-solar a lunar date, d/m/yyyy)", calendarConvert},
		{"announce", `--text T [--at "2024-06-05 07:00" | --cron "0 7 5 6 *" | --event ID [--time 07:00]]` + "\n" +
			"[--topic T] [--channel telegram|zalo]", "schedule an announcement (now, once, recurring, or every\n" +
			"year on a calendar event's day)", announce},
		{"announcements list", "[--json] [--all]", "scheduled announcements (--all: with the finished ones)", announcementsList},
		{"announcements cancel", "ID", "stop future runs and pending deliveries", announcementsCancel},
		{"admins add", "CHANNEL USER_ID [--name NAME]", "make a Telegram or Zalo user an admin", adminsChange(true)},
		{"admins remove", "CHANNEL USER_ID", "remove an admin added with admins add", adminsChange(false)},
		{"admins list", "[--json]", "admins from LOA_ADMINS and the database", adminsList},
		{"audit", "[--json] [--limit N] [--via cli|bot|web] [--actor A]", "who created, changed, cancelled or sent what, and when", audit},
		{"web link", "telegram|zalo USER_ID", "print a one-time sign-in link to the web console\n" +
			"(LOA_PUBLIC_URL); refused for a user who is not an admin", webLink},
		{"prune", "[--dry-run]", "delete history older than LOA_RETENTION / LOA_AUDIT_RETENTION\n" +
			"(--dry-run: only count it); counts and totals stay", prune},
		{"version", "", "print the version", func(c *call) error { return c.say("loa %s\n", version) }},
	}
}

// usage is the help text, from the table: each command's help starts in column 33 of
// its line, or below a line too long for it.
func usage() string {
	var sb strings.Builder
	sb.WriteString("loa — chat-bot announcement broadcaster\n\nUsage:\n")
	for _, c := range commands() {
		use := strings.ReplaceAll(strings.TrimSpace("loa "+c.words+" "+c.args), "\n", "\n        ")
		help := strings.ReplaceAll(c.help, "\n", "\n"+strings.Repeat(" ", 33))
		if len(use) > 29 || strings.Contains(use, "\n") {
			use += "\n" + strings.Repeat(" ", 33)
		}
		fmt.Fprintf(&sb, "  %-31s%s\n", use, help)
	}
	sb.WriteString("\nConfiguration comes from LOA_* environment variables; see the README.\n")
	return sb.String()
}

// exitUsage is the exit code for a command line that could not be understood.
const exitUsage = 2

// call is one command line being run: its surroundings (tests supply their own), the
// command's flags (a flag set named by its words) and positional arguments, and, once
// opened, its database: the store, prepared as the service prepares it (app.Prepare),
// the configuration and the admin operations.
type call struct {
	ctx            context.Context
	stdout, stderr io.Writer
	getenv         func(string) string
	fs             *flag.FlagSet
	// pos are the positional arguments, named in the usage by names (CHANNEL, USER_ID);
	// id is the one named ID.
	pos     []string
	names   []string
	id      int64
	st      *store.Store
	cfg     config.Config
	ops     *admin.Ops
	applied []int
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &call{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv}
	defer func() {
		if c.st != nil {
			c.st.Close()
		}
	}()
	var err error
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, usage())
		return exitUsage
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage())
	case args[0] == "--version":
		fmt.Fprintln(stdout, "loa", version)
	default:
		err = c.dispatch(args)
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "loa: %s\nRun 'loa help' for usage.\n", ue.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "loa: %v\n", err)
		return 1
	}
}

// dispatch runs the command args name, or says which there are.
func (c *call) dispatch(args []string) error {
	var subs []string
	for _, cmd := range commands() {
		words := strings.Fields(cmd.words)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			if err := c.parse(cmd, args[len(words):]); err != nil {
				return err
			}
			return cmd.run(c)
		}
		if len(words) == 2 && words[0] == args[0] {
			subs = append(subs, words[1])
		}
	}
	switch {
	case len(subs) == 0:
		return usagef("unknown command %q", args[0])
	case len(args) == 1:
		return usagef("%s needs a subcommand: %s", args[0], strings.Join(subs, ", "))
	}
	return usagef("unknown %s subcommand %q (want %s)", args[0], args[1], strings.Join(subs, ", "))
}

// usageError is a command line mistake: the message and a hint to read the usage.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// offline are the commands that open no database (serve opens its own).
var offline = map[string]bool{"serve": true, "version": true, "calendar convert": true}

// parse reads a command line of cmd (after its words): the flags its usage declares
// (declare), allowed after positional arguments ("feeds add URL --topic T"), and the
// positional arguments it names, exactly; an ID is read as an id. Then it opens the
// database, unless cmd is offline.
func (c *call) parse(cmd command, args []string) error {
	c.fs = flag.NewFlagSet(cmd.words, flag.ContinueOnError)
	c.fs.SetOutput(io.Discard)
	names := c.declare(cmd.args)
	c.names = names
	for {
		if err := c.fs.Parse(args); err != nil {
			return usagef("%s: %v", cmd.words, err)
		}
		if args = c.fs.Args(); len(args) == 0 {
			break
		}
		c.pos, args = append(c.pos, args[0]), args[1:]
	}
	switch {
	case len(c.pos) != len(names) && len(names) == 0:
		return usagef("%s takes no arguments, got %q", cmd.words, strings.Join(c.pos, " "))
	case len(c.pos) != len(names):
		return usagef("%s needs %s", cmd.words, strings.Join(names, " "))
	case names != nil && names[0] == "ID":
		group := strings.Fields(cmd.words)[0] // "feeds": a feed id; "calendar": an event id
		what := cmp.Or(map[string]string{"calendar": "event"}[group], strings.TrimSuffix(group, "s"))
		var err error
		if c.id, err = admin.ParseID(c.pos[0]); err != nil {
			article := map[bool]string{true: "n"}[strings.ContainsRune("aeiou", rune(what[0]))]
			return usagef("%s: %q is not a%s %s id", cmd.words, c.pos[0], article, what)
		}
	}
	if offline[cmd.words] {
		return nil
	}
	return c.open()
}

// declare declares the flags that a command's usage names: "--name METAVAR" takes a
// value (a number when METAVAR is N, Y, YYYY or ID), "--name" alone is a switch. It
// returns the positional arguments named before the first flag.
func (c *call) declare(usage string) (names []string) {
	for _, w := range strings.Fields(usage) {
		if strings.ContainsAny(w[:1], "-[(") {
			break
		}
		names = append(names, w)
	}
	ws := strings.Fields(strings.NewReplacer("[", " ", "]", " ", "(", " ", ")", " ", "|", " ").Replace(usage))
	for i, w := range ws {
		name, ok := strings.CutPrefix(w, "--")
		next := "--"
		if i+1 < len(ws) {
			next = ws[i+1]
		}
		switch {
		case !ok || c.fs.Lookup(name) != nil:
		case strings.HasPrefix(next, "--"):
			c.fs.Bool(name, false, "")
		case slices.Contains([]string{"N", "Y", "YYYY", "ID"}, next):
			c.fs.Int(name, 0, "")
		default:
			c.fs.String(name, "", "")
		}
	}
	return names
}

// given is the value of the flag name when the command line gives it, else nil (what
// an edit changes).
func given[T any](c *call, name string) *T {
	var v *T
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			x := f.Value.(flag.Getter).Get().(T)
			v = &x
		}
	})
	return v
}

// value is the value of the flag name, or def when the command line does not give it.
func value[T any](c *call, name string, def T) T {
	if v := given[T](c, name); v != nil {
		return *v
	}
	return def
}

// open loads the configuration and opens the database, prepared as the service
// prepares it (app.Prepare).
func (c *call) open() (err error) {
	if c.cfg, err = config.Load(c.getenv, os.ReadFile); err != nil {
		return err
	}
	if c.st, err = store.Open(c.ctx, c.cfg.DatabaseURL); err != nil {
		return err
	}
	if c.applied, _, err = app.Prepare(c.ctx, c.st); err != nil {
		return err
	}
	c.ops = app.NewOps(c.cfg, c.st, version)
	return nil
}

// idCommand is a command that acts on one object, named by its ID: do returns what
// to print, or an error that fail words.
func idCommand(do func(c *call, id int64) (string, error)) func(*call) error {
	return func(c *call) error {
		out, err := do(c, c.id)
		return c.done(err, "", "%s\n", out)
	}
}

// done ends a command: err said the CLI's way (fail, after what), or what was done
// printed.
func (c *call) done(err error, what, format string, args ...any) error {
	if err != nil {
		return c.fail(what, err)
	}
	return c.say(format, args...)
}

// say prints to standard output.
func (c *call) say(format string, args ...any) error {
	_, err := fmt.Fprintf(c.stdout, format, args...)
	return err
}

// timeLayout writes the times of a table, in LOA_TIMEZONE (JSON has them exactly).
const timeLayout = "2006-01-02 15:04"

// show prints a list fetched with err: as JSON with --json, or a line saying it is
// empty, or a table of row(x) under header (its columns separated by tabs). Cells are
// written one way for all tables: "" and a nil time as "-", yes or no, times in
// LOA_TIMEZONE (timeLayout).
func show[T any](c *call, list []T, err error, empty, header string, row func(T) []any) error {
	switch {
	case err != nil:
		return err
	case value(c, "json", false):
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(append([]T{}, list...))
	case len(list) == 0:
		return c.say("%s\n", empty)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, x := range list {
		var cells []string
		for _, v := range row(x) {
			switch v := v.(type) {
			case string:
				cells = append(cells, orDash(v))
			case bool:
				cells = append(cells, map[bool]string{true: "yes", false: "no"}[v])
			case *time.Time:
				cells = append(cells, "-")
				if v != nil {
					cells[len(cells)-1] = v.In(c.cfg.Location).Format(timeLayout)
				}
			case time.Time:
				cells = append(cells, v.In(c.cfg.Location).Format(timeLayout))
			default:
				cells = append(cells, fmt.Sprint(v))
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// actor is who runs a command, for the audit log: the operating system user.
func (c *call) actor() admin.Actor { return admin.CLI(c.getenv("USER")) }

// fieldName names a field of package admin's errors as this command line takes it: a
// positional argument as its usage names it ("admins add CHANNEL USER_ID": channel,
// user id), a URL or a file by its value alone (feeds add URL), anything else by its
// flag (announce --channel).
func (c *call) fieldName(f admin.Field) string {
	if f == admin.FieldURL || f == admin.FieldFile {
		return ""
	}
	if slices.Contains(c.names, strings.ToUpper(string(f))) {
		return strings.ReplaceAll(string(f), "_", " ")
	}
	return "--" + strings.ReplaceAll(string(f), "_", "-")
}

// lists name the command that lists the objects of a kind, for "not found".
var lists = map[admin.Object]string{admin.ObjEvent: "calendar list --all", admin.ObjFeed: "feeds list",
	admin.ObjBroadcast: "broadcasts list", admin.ObjSubscriber: "subscribers list",
	admin.ObjAnnouncement: "announcements list", admin.ObjDraft: "announcements list"}

// fail says what went wrong the CLI's way: a field to fix is a usage error naming its
// flag (exit 2); anything else exits 1, after what ("feed not added"), and an id not
// found points at the list of its kind.
func (c *call) fail(what string, err error) error {
	var fe *admin.FieldError
	var oe *admin.ObjectError
	var ie *admin.ImportError
	if what != "" {
		what += ": "
	}
	switch {
	case errors.As(err, &fe):
		msg := fe.ErrorAs(c.fieldName(fe.Field), c.fieldName(fe.Other))
		switch {
		case fe.Field == admin.FieldFile || slices.Contains([]admin.Code{admin.CodeTaken, admin.CodeNotFound,
			admin.CodeNotFeed, admin.CodeBuiltin}, fe.Code):
			return errors.New(what + msg)
		case strings.HasPrefix(msg, "needs "):
			return usagef("%s %s", c.fs.Name(), msg)
		}
		return usagef("%s: %s", c.fs.Name(), msg)
	case errors.As(err, &ie):
		return errors.New(what + ie.Error())
	case errors.As(err, &oe) && oe.Object == admin.ObjAdmin && errors.Is(err, admin.ErrNotFound):
		return fmt.Errorf("%s is not an admin in the database (admins in LOA_ADMINS are removed there)", oe.Name)
	case errors.As(err, &oe) && errors.Is(err, admin.ErrNotFound):
		return fmt.Errorf("%s%w (see loa %s)", what, err, lists[oe.Object])
	case err != nil:
		return fmt.Errorf("%s%w", what, err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
