package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"loa/app"
	"loa/config"
	"loa/store"
)

const usage = `loa — chat-bot announcement broadcaster

Usage:
  loa serve                      run the service (migrates the database first)
  loa migrate                    apply database migrations and exit
  loa feeds add URL [--topic T] [--interval D]
                                 check that URL is a feed and add it
  loa feeds list [--json]        list feeds and their polling state
  loa feeds remove ID            remove a feed (its broadcasts stay)
  loa feeds enable ID            re-enable a feed disabled after failures
  loa feeds import FILE.opml     add every feed of an OPML file
  loa feeds export               print the feeds as OPML
  loa broadcasts list [--json]   broadcasts with delivery progress
  loa broadcasts show ID         one broadcast, failures counted by reason
  loa broadcasts cancel ID       stop a broadcast's pending deliveries
  loa subscribers list [--json]  chats that subscribed, their status and topics
  loa subscribers stats [--json] subscribers counted by channel, kind and status
  loa subscribers resume ID      resume a chat paused because the bot lost its right to post
  loa calendar list [--json] [--all]
                                 commemorative days (--all: with the disabled ones)
  loa calendar add --title T (--date d/m[/yyyy] | --lunar d/m [--leap]) [--founded YYYY]
        [--category national|province|organisation] [--advance N] [--slug S] [--source S]
                                 add an event
  loa calendar edit ID [the flags of add]
                                 change what the flags say, nothing else
  loa calendar disable ID        stop an event's notices (enable ID brings them back)
  loa calendar import FILE.csv   add or update events from CSV, all or nothing
  loa calendar export [--format csv|ics] [--from-year Y] [--to-year Y]
                                 print the events as CSV or iCalendar
  loa calendar banner --from DATE --to DATE
                                 the greeting for the anniversaries in that range
  loa calendar upcoming [--from DATE] [--days N] [--json]
                                 the notices of the coming days (default: 30 from today)
  loa calendar convert DATE [--json]
  loa calendar convert --to-solar LUNAR-DATE [--leap] [--json]
                                 solar ↔ lunar date (DATE: 2025-08-10 or 10/8/2025)
  loa announce --text T [--at "2024-06-05 07:00" | --cron "0 7 5 6 *" | --event ID [--time 07:00]]
               [--topic T] [--channel telegram|zalo]
                                 schedule an announcement (now, once, recurring, or every
                                 year on a calendar event's day)
  loa announcements list [--json] [--all]
  loa announcements cancel ID    stop future runs and pending deliveries
  loa admins add|remove CHANNEL USER_ID [--name N]
  loa admins list [--json]       admins from LOA_ADMINS and the database
  loa audit [--json] [--limit N] who created, changed, cancelled or sent what, and when
  loa prune [--dry-run]          delete history older than LOA_RETENTION / LOA_AUDIT_RETENTION
                                 (--dry-run: only count it); counts and totals stay
  loa web link telegram|zalo USER_ID
                                 print a one-time sign-in link to the web console
                                 (LOA_PUBLIC_URL); refused for a user who is not an admin
  loa version                    print the version

Configuration comes from LOA_* environment variables; see the README.
`

// exitUsage is the exit code for a command line that could not be understood.
const exitUsage = 2

// env is what a command gets from its surroundings; tests supply their own.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = e.serve(args[1:])
	case "migrate":
		err = e.migrate(args[1:])
	case "feeds":
		err = e.feeds(args[1:])
	case "broadcasts":
		err = e.broadcasts(args[1:])
	case "subscribers":
		err = e.subscribers(args[1:])
	case "calendar":
		err = e.calendar(args[1:])
	case "announce":
		err = e.announce(args[1:])
	case "announcements":
		err = e.announcements(args[1:])
	case "admins":
		err = e.admins(args[1:])
	case "audit":
		err = e.audit(args[1:])
	case "prune":
		err = e.prune(args[1:])
	case "web":
		err = e.webCmd(args[1:])
	case "version", "--version":
		fmt.Fprintln(stdout, "loa", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
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

// usageError is a command line mistake: the message and a hint to read the usage.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// parseFlags parses fs from args, allowing flags after positional arguments
// ("feeds add URL --topic T"), and returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// sub is one subcommand of a command group (feeds, broadcasts, ...).
type sub struct {
	name string
	run  func(args []string) error
}

// dispatch runs the subcommand named by args[0], or says which ones there are.
func dispatch(group string, args []string, subs ...sub) error {
	names := make([]string, len(subs))
	for i, sc := range subs {
		if len(args) > 0 && args[0] == sc.name {
			return sc.run(args[1:])
		}
		names[i] = sc.name
	}
	if len(args) == 0 {
		return usagef("%s needs a subcommand: %s", group, strings.Join(names, ", "))
	}
	return usagef("unknown %s subcommand %q (want %s)", group, args[0], strings.Join(names, ", "))
}

// parseArgs parses fs from args, as parseFlags does, and checks that the positional
// arguments are exactly the ones named.
func parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	return pos, wantArgs(fs.Name(), pos, names...)
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, pos []string, names ...string) error {
	if len(pos) != len(names) {
		if len(names) == 0 {
			return usagef("%s takes no arguments, got %q", cmd, strings.Join(pos, " "))
		}
		return usagef("%s needs %s", cmd, strings.Join(names, " "))
	}
	return nil
}

func (e env) config() (config.Config, error) {
	return config.Load(e.getenv, os.ReadFile)
}

// openStore loads the configuration and opens a migrated store.
func (e env) openStore() (*store.Store, config.Config, error) {
	cfg, err := e.config()
	if err != nil {
		return nil, cfg, err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, cfg, err
	}
	if _, err := st.Migrate(e.ctx); err != nil {
		st.Close()
		return nil, cfg, fmt.Errorf("migrate: %w", err)
	}
	return st, cfg, nil
}

func (e env) serve(args []string) error {
	pos, err := parseFlags(flag.NewFlagSet("serve", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if err := wantArgs("serve", pos); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, e.stderr)
	svc := &app.Service{Config: cfg, Log: log, Version: version}
	if err := svc.Run(e.ctx); err != nil {
		log.Error("loa stopped", slog.String("error", err.Error()))
		return err
	}
	return nil
}

func (e env) migrate(args []string) error {
	pos, err := parseFlags(flag.NewFlagSet("migrate", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if err := wantArgs("migrate", pos); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(e.ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "database is up to date (version %d)\n", store.LatestVersion())
		return nil
	}
	fmt.Fprintf(e.stdout, "applied migrations %v; database is at version %d\n", applied, store.LatestVersion())
	return nil
}
