// Package scheduler runs loa's periodic work on the one replica that leads: it elects the
// leader with a PostgreSQL advisory lock and, while leading, ticks robfig/cron in the
// configured zone to poll due feeds, turning what they bring into broadcasts.
//
// Each feed's schedule lives in the database (feeds.next_poll_at), not in cron entries:
// a feed added from the command line is picked up on the next tick without a reload, a
// new leader carries on where the old one stopped, and backoff and TTL hints are just a
// later next_poll_at. Cron supplies the one-second tick (and, later, the wall-clock jobs
// such as the daily calendar notice).
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Scheduler is the leader's periodic work.
type Scheduler struct {
	Poller   *Poller
	Location *time.Location
	Log      *slog.Logger
	// Tick is how often due feeds are looked for (default 1s).
	Tick time.Duration
}

// Run ticks until ctx ends, then waits for the tick in progress to finish.
func (s *Scheduler) Run(ctx context.Context) {
	logger := cronLogger{s.Log}
	c := cron.New(
		cron.WithLocation(s.Location),
		cron.WithLogger(logger),
		// A slow poll delays the next tick instead of piling ticks up.
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)),
	)
	tick := s.Tick
	if tick <= 0 {
		tick = time.Second
	}
	c.Schedule(every(tick), cron.FuncJob(func() {
		if _, err := s.Poller.PollDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("poll due feeds", slog.String("error", err.Error()))
		}
	}))
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
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
