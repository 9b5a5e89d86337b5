// Package scheduler runs loa's periodic work on the one replica that leads: it elects the
// leader with a PostgreSQL advisory lock and, while leading, ticks robfig/cron in the
// configured zone to poll due feeds, turning what they bring into broadcasts.
//
// Each feed's schedule lives in the database (feeds.next_poll_at), not in cron entries:
// a feed added from the command line is picked up on the next tick without a reload, a
// new leader carries on where the old one stopped, and backoff and TTL hints are just a
// later next_poll_at. The same holds for announcements (next_run_at) and the daily
// notices (a source key per event and day): every job is an idempotent catch-up run on
// an interval, so a missed tick, a restart or a new leader loses nothing and repeats
// nothing. Cron, in the configured zone, supplies the intervals.
package scheduler

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one periodic task of the leader.
type Job struct {
	Name string
	// Every is the interval between two runs; the first run is at the start of the
	// leadership term, so a new leader catches up at once.
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Scheduler is the leader's periodic work.
type Scheduler struct {
	Jobs     []Job
	Location *time.Location
	Log      *slog.Logger
}

// maxJobPanicPause caps the pause of a job after it panicked repeatedly.
const maxJobPanicPause = 5 * time.Minute

// Run runs the jobs until ctx ends, then waits for the runs in progress to finish. A
// job still running when its next time comes is skipped that time, not piled up. A job
// that panics is recovered and logged with its stack, and pauses before its next run
// (its interval doubled for each panic in a row, at most five minutes), so a bug costs
// a log line now and then, not the process or a tight loop.
func (s *Scheduler) Run(ctx context.Context) {
	logger := cronLogger{s.Log}
	chain := cron.NewChain(cron.SkipIfStillRunning(logger))
	c := cron.New(cron.WithLocation(s.Location), cron.WithLogger(logger))
	var first sync.WaitGroup
	for _, j := range s.Jobs {
		g := &guard{job: j, log: s.Log}
		job := chain.Then(cron.FuncJob(func() { g.run(ctx) }))
		c.Schedule(every(j.Every), job)
		first.Go(job.Run)
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	first.Wait()
}

// guard runs one job, recovering its panics. Its runs never overlap
// (SkipIfStillRunning), so its fields need no lock.
type guard struct {
	job Job
	log *slog.Logger
	// panics counts the panics in a row; the job is skipped until notBefore.
	panics    int
	notBefore time.Time
}

func (g *guard) run(ctx context.Context) {
	if time.Now().Before(g.notBefore) {
		return
	}
	defer func() {
		r := recover()
		if r == nil {
			g.panics = 0
			return
		}
		g.panics++
		pause := g.job.Every
		for i := 1; i < g.panics && pause < maxJobPanicPause; i++ {
			pause *= 2
		}
		pause = min(pause, maxJobPanicPause)
		g.notBefore = time.Now().Add(pause)
		g.log.Error(g.job.Name+": panic", slog.Any("panic", r), slog.Int("panics_in_a_row", g.panics),
			slog.Duration("retry_in", pause), slog.String("stack", string(debug.Stack())))
	}()
	if err := g.job.Run(ctx); err != nil && ctx.Err() == nil {
		g.log.Error(g.job.Name, slog.String("error", err.Error()))
	}
}

// cronLogger lets cron log through slog. Cron's routine messages (every schedule and
// wake-up) go to debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{slog.String("error", err.Error())}, kv...)...)
}

// every is cron's constant-delay schedule without its rounding to whole seconds, so that
// tests can tick faster than production does.
type every time.Duration

// Next implements cron.Schedule.
func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }
