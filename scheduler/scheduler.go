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

// Run runs the jobs until ctx ends, then waits for the runs in progress to finish. A
// job still running when its next time comes is skipped that time, not piled up.
func (s *Scheduler) Run(ctx context.Context) {
	logger := cronLogger{s.Log}
	chain := cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger))
	c := cron.New(cron.WithLocation(s.Location), cron.WithLogger(logger))
	var first sync.WaitGroup
	for _, j := range s.Jobs {
		job := chain.Then(cron.FuncJob(func() {
			if err := j.Run(ctx); err != nil && ctx.Err() == nil {
				s.Log.Error(j.Name, slog.String("error", err.Error()))
			}
		}))
		c.Schedule(every(j.Every), job)
		first.Go(job.Run)
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	first.Wait()
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
