package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"loa/admin"
	"loa/app"
	"loa/config"
	"loa/store"
)

// command is one line of the usage and what runs it: the words that name it ("feeds
// add"), what follows them ("\n" starts a continuation line), one line of help.
type command struct {
	words, args, help string
	run               func(e env, args []string) error
}

// commands is the one table of the CLI: the usage text and the dispatch both come from
// it. Each group lives in its own file (feeds.go, calendar.go, …); the web console's
// group goes in web.go.
func commands() []command {
	return []command{
		{"serve", "", "run the service (migrates the database first)", env.serve},
		{"migrate", "", "apply database migrations and exit", env.migrate},
		{"feeds add", "URL [--topic T] [--interval D]", "check that URL is a feed and add it", env.feedsAdd},
		{"feeds list", "[--json]", "list feeds and their polling state", env.feedsList},
		{"feeds edit", "ID [--topic T] [--interval D]", "change a feed's topic or poll interval", env.feedsEdit},
		{"feeds remove", "ID", "remove a feed (its broadcasts stay)", feedsRemove},
		{"feeds disable", "ID", "stop polling a feed (enable ID brings it back)", feedsDisable},
		{"feeds enable", "ID", "poll a disabled feed again", feedsEnable},
		{"feeds import", "FILE.opml [--interval D]", "add every feed of an OPML file", env.feedsImport},
		{"feeds export", "", "print the feeds as OPML", env.feedsExport},
		{"broadcasts list", "[--json]", "broadcasts with delivery progress", env.broadcastsList},
		{"broadcasts show", "ID", "one broadcast, failures counted by reason", env.broadcastsShow},
		{"broadcasts cancel", "ID", "stop a broadcast's pending deliveries", broadcastsCancel},
		{"subscribers list", "[--json]", "chats that subscribed, their status and topics", env.subscribersList},
		{"subscribers stats", "[--json]", "subscribers counted by channel, kind and status", env.subscribersStats},
		{"subscribers resume", "ID", "resume a chat paused because the bot lost its right to post", subscribersResume},
		{"calendar list", "[--json] [--all]", "commemorative days (--all: with the disabled ones)", env.calendarList},
		{"calendar add", "--title T (--date d/m[/yyyy] | --lunar d/m [--leap]) [--founded YYYY]\n" +
			"[--category national|province|organisation] [--advance N] [--slug S] [--source S]", "add an event", env.calendarAdd},
		{"calendar edit", "ID [the flags of add]", "change what the flags say, nothing else", env.calendarEdit},
		{"calendar disable", "ID", "stop an event's notices (enable ID brings them back)", calendarEnable(false)},
		{"calendar enable", "ID", "send an event's notices again", calendarEnable(true)},
		{"calendar import", "FILE.csv", "add or update events from CSV, all or nothing", env.calendarImport},
		{"calendar export", "[--format csv|ics] [--from-year Y] [--to-year Y]", "print the events as CSV or iCalendar", env.calendarExport},
		{"calendar banner", "--from DATE --to DATE", "the greeting for the anniversaries in that range", env.calendarBanner},
		{"calendar upcoming", "[--from DATE] [--days N] [--json]", "the notices of the coming days (default: 30 from today)", env.calendarUpcoming},
		{"calendar convert", "DATE [--json]\n--to-solar LUNAR-DATE [--leap] [--json]", "solar ↔ lunar date (DATE: 2025-08-10 or 10/8/2025)", env.calendarConvert},
		{"announce", `--text T [--at "2024-06-05 07:00" | --cron "0 7 5 6 *" | --event ID [--time 07:00]]` + "\n" +
			"[--topic T] [--channel telegram|zalo]", "schedule an announcement (now, once, recurring, or every\n" +
			"year on a calendar event's day)", env.announce},
		{"announcements list", "[--json] [--all]", "scheduled announcements (--all: with the finished ones)", env.announcementsList},
		{"announcements cancel", "ID", "stop future runs and pending deliveries", announcementsCancel},
		{"admins add", "CHANNEL USER_ID [--name N]", "make a Telegram or Zalo user an admin", adminsChange(true)},
		{"admins remove", "CHANNEL USER_ID", "remove an admin added with admins add", adminsChange(false)},
		{"admins list", "[--json]", "admins from LOA_ADMINS and the database", env.adminsList},
		{"audit", "[--json] [--limit N] [--via cli|bot|web] [--actor A]", "who created, changed, cancelled or sent what, and when", env.audit},
		{"web link", "telegram|zalo USER_ID", "print a one-time sign-in link to the web console\n" +
			"(LOA_PUBLIC_URL); refused for a user who is not an admin", env.webLink},
		{"prune", "[--dry-run]", "delete history older than LOA_RETENTION / LOA_AUDIT_RETENTION\n" +
			"(--dry-run: only count it); counts and totals stay", env.prune},
		{"version", "", "print the version", func(e env, _ []string) error { _, err := fmt.Fprintln(e.stdout, "loa", version); return err }},
	}
}

// usage is the help text, from the table.
func usage() string {
	var sb strings.Builder
	sb.WriteString("loa — chat-bot announcement broadcaster\n\nUsage:\n")
	const col = 33
	for _, c := range commands() {
		lines := strings.Split(strings.TrimSpace("loa "+c.words+" "+c.args), "\n")
		for i, l := range lines {
			if i > 0 {
				l = "      " + l
			}
			lines[i] = "  " + l
		}
		help := strings.Split(c.help, "\n")
		if last := lines[len(lines)-1]; len(lines) == 1 && len(last) < col-1 {
			lines[0] = last + strings.Repeat(" ", col-len(last)) + help[0]
			help = help[1:]
		}
		for _, h := range help {
			lines = append(lines, strings.Repeat(" ", col)+h)
		}
		sb.WriteString(strings.Join(lines, "\n") + "\n")
	}
	sb.WriteString("\nConfiguration comes from LOA_* environment variables; see the README.\n")
	return sb.String()
}

// exitUsage is the exit code for a command line that could not be understood.
const exitUsage = 2

// env is what a command gets from its surroundings; tests supply their own.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// db is the command's session, opened on first use (open) and closed by run.
	db *lazySession
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, db: &lazySession{}}
	defer e.db.close()
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
		err = dispatch(e, args)
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
func dispatch(e env, args []string) error {
	var subs []string
	for _, c := range commands() {
		words := strings.Fields(c.words)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return c.run(e, args[len(words):])
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

// parseArgs parses fs from args, allowing flags after positional arguments ("feeds add
// URL --topic T"), and checks that the positional arguments are exactly the ones named.
func parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		if args = fs.Args(); len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	switch {
	case len(pos) == len(names):
		return pos, nil
	case len(names) == 0:
		return nil, usagef("%s takes no arguments, got %q", fs.Name(), strings.Join(pos, " "))
	}
	return nil, usagef("%s needs %s", fs.Name(), strings.Join(names, " "))
}

// idArgs parses the flags of a command that takes one ID argument and reads the id.
func idArgs(fs *flag.FlagSet, args []string, what string) (int64, error) {
	pos, err := parseArgs(fs, args, "ID")
	if err != nil {
		return 0, err
	}
	id, err := admin.ParseID(pos[0])
	if err != nil {
		return 0, usagef("%s: %q is not a%s %s id", fs.Name(), pos[0], article(what), what)
	}
	return id, nil
}

// oneID reads the one ID argument of a command without flags.
func oneID(cmd, what string, args []string) (int64, error) {
	return idArgs(flag.NewFlagSet(cmd, flag.ContinueOnError), args, what)
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

// jsonFlag parses the flags of a list command: --json, and the others fs has.
func jsonFlag(fs *flag.FlagSet, args []string) (bool, error) {
	j := fs.Bool("json", false, "print JSON")
	_, err := parseArgs(fs, args)
	return *j, err
}

func newFlags(cmd string) *flag.FlagSet { return flag.NewFlagSet(cmd, flag.ContinueOnError) }

func (e env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes rows under a header, in aligned columns.
func (e env) table(header string, rows [][]any) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		s := make([]string, len(r))
		for i, v := range r {
			s[i] = fmt.Sprint(v)
		}
		fmt.Fprintln(tw, strings.Join(s, "\t"))
	}
	return tw.Flush()
}

// show prints a list: as JSON, or a line saying it is empty, or a table of row(x) under
// header.
func show[T any](e env, asJSON bool, list []T, empty, header string, row func(T) []any) error {
	switch {
	case asJSON:
		if list == nil {
			list = []T{}
		}
		return e.printJSON(list)
	case len(list) == 0:
		_, err := fmt.Fprintln(e.stdout, empty)
		return err
	}
	rows := make([][]any, len(list))
	for i, x := range list {
		rows[i] = row(x)
	}
	return e.table(header, rows)
}

// idCommand is a command that acts on one object named by its id: do returns what to
// print, or an error that fail words.
func idCommand(cmd, what string, do func(e env, s *session, id int64) (string, error)) func(env, []string) error {
	return func(e env, args []string) error {
		id, err := oneID(cmd, what, args)
		if err != nil {
			return err
		}
		s, err := e.open()
		if err != nil {
			return err
		}
		out, err := do(e, s, id)
		if err != nil {
			return fail(cmd, "", err)
		}
		_, err = fmt.Fprintln(e.stdout, out)
		return err
	}
}

// session is what a command that uses the database has: the store, the configuration
// and the admin operations (built the way the service builds them).
type session struct {
	st  *store.Store
	cfg config.Config
	ops *admin.Ops
}

// lazySession is a session opened when a command first needs it.
type lazySession struct{ s *session }

func (l *lazySession) close() {
	if l.s != nil {
		l.s.st.Close()
	}
}

// open loads the configuration and opens a migrated store, once per command line.
func (e env) open() (*session, error) {
	if e.db.s != nil {
		return e.db.s, nil
	}
	cfg, err := config.Load(e.getenv, os.ReadFile)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(e.ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	e.db.s = &session{st: st, cfg: cfg, ops: app.NewOps(cfg, st, version)}
	return e.db.s, nil
}

// actor is who runs a command, for the audit log: the operating system user.
func (e env) actor() admin.Actor { return admin.CLI(e.getenv("USER")) }

// flags name the fields of package admin's errors as the CLI's flags; positional
// arguments are named by their value alone.
var flags = map[admin.Field]string{admin.FieldURL: "", admin.FieldFile: "", admin.FieldUserID: "user id", admin.FieldID: "id"}

func flagName(f admin.Field) string {
	if n, ok := flags[f]; ok {
		return n
	}
	return "--" + strings.ReplaceAll(string(f), "_", "-")
}

// fail says what went wrong in cmd the CLI's way: a field to fix is a usage error
// naming its flag (exit 2); anything else exits 1, after what ("feed not added"), and
// an id not found points at the list of its kind.
func fail(cmd, what string, err error) error {
	var fe *admin.FieldError
	var oe *admin.ObjectError
	var ie *admin.ImportError
	prefix := ""
	if what != "" {
		prefix = what + ": "
	}
	switch {
	case errors.As(err, &fe):
		msg := fe.ErrorAs(flagName(fe.Field), flagName(fe.Other))
		switch {
		case fe.Field == admin.FieldFile || slices.Contains([]admin.Code{admin.CodeTaken, admin.CodeNotFound,
			admin.CodeNotFeed, admin.CodeBuiltin}, fe.Code):
			return errors.New(prefix + msg)
		case strings.HasPrefix(msg, "needs "):
			return usagef("%s %s", cmd, msg)
		}
		return usagef("%s: %s", cmd, msg)
	case errors.As(err, &ie):
		return errors.New(prefix + ie.Error())
	case errors.As(err, &oe) && oe.Object == admin.ObjAdmin && errors.Is(err, admin.ErrNotFound):
		return fmt.Errorf("%s is not an admin in the database (admins in LOA_ADMINS are removed there)", oe.Name)
	case errors.As(err, &oe) && errors.Is(err, admin.ErrNotFound):
		list := map[admin.Object]string{admin.ObjEvent: "calendar list --all", admin.ObjFeed: "feeds list",
			admin.ObjBroadcast: "broadcasts list", admin.ObjSubscriber: "subscribers list"}[oe.Object]
		if list == "" {
			list = "announcements list"
		}
		return fmt.Errorf("%s%w (see loa %s)", prefix, err, list)
	case err != nil:
		return fmt.Errorf("%s%w", prefix, err)
	}
	return nil
}

// notFoundHint points a "not found" from the store at the list of its kind.
func notFoundHint(err error, list string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w (see loa %s list)", err, list)
	}
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// dashIfZero writes n, or "-" for 0 (none).
func dashIfZero(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
