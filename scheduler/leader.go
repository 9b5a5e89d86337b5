package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"loa/store"
)

// Leadership defaults: a leader renews every 5 s and its term lasts 15 s past the last
// renewal it sent, so a standby trying every 2 s takes over from a silent leader within
// about 17 s, well inside the 30 s loa promises.
const (
	DefaultRenewInterval = 5 * time.Second
	DefaultLeaderTTL     = 15 * time.Second
	DefaultRetryInterval = 2 * time.Second
	// DefaultElection names the one election of a deployment.
	DefaultElection = "default"
	// maxLeadPanicPause caps the pause after led work panicked repeatedly.
	maxLeadPanicPause = 5 * time.Minute
	// resignTimeout bounds the resignation at shutdown.
	resignTimeout = 2 * time.Second
)

// Leader elects one replica at a time with a leader row whose expiry the database
// judges by its own clock (store.Elect): the leader renews it every RenewInterval; a
// replica whose host goes silent stops renewing, and once the row has expired another
// replica takes it over. Unlike a session lock, this does not depend on the database
// noticing that the old leader's connection is dead, which can take hours.
//
// The leader counts its term from when it sent its last confirmed renewal (not from
// when the answer came: the database may have received it any time after it was
// sent), so it stops leading, and cancels the led work, no later than the database
// lets another replica take over. Work it started and still finishing when its term
// ends commits nothing: its context carries a leader fence (store.WithLeaderFence).
type Leader struct {
	Store *store.Store
	// ID names this replica in the leader row; unique per process.
	ID string
	// Name is the election (default DefaultElection).
	Name string
	// RenewInterval is how often the leader extends its term (default 5 s).
	RenewInterval time.Duration
	// TTL is how long a term lasts past a renewal (default 15 s). At least twice
	// RenewInterval, so one lost renewal does not end a term.
	TTL time.Duration
	// RetryInterval is how often a standby tries to take over (default 2 s).
	RetryInterval time.Duration
	// Log receives transitions.
	Log *slog.Logger
	// OnChange, if set, is told when this replica gains or loses leadership.
	OnChange func(leading bool)
	// Heartbeat, if set, is called at least once a second while the election loop is
	// alive (leading or standing by), never from inside a database call.
	Heartbeat func()
}

func (l *Leader) intervals() (renew, ttl, retry time.Duration) {
	return orDefault(l.RenewInterval, DefaultRenewInterval), orDefault(l.TTL, DefaultLeaderTTL),
		orDefault(l.RetryInterval, DefaultRetryInterval)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (l *Leader) beat() {
	if l.Heartbeat != nil {
		l.Heartbeat()
	}
}

// Run campaigns until ctx ends. Whenever it leads it runs lead with a context that is
// cancelled when the term ends (lost, run out, or ctx ended) and carries the term's
// fence, and waits for lead to return before campaigning again. A panic in lead is
// recovered and logged with its stack, and ends the term: the replica resigns and
// pauses (longer after each panic in a row) so that another may take over. Run returns
// nil when ctx ends, after resigning.
func (l *Leader) Run(ctx context.Context, lead func(ctx context.Context)) error {
	renew, ttl, retry := l.intervals()
	if ttl < 2*renew {
		return fmt.Errorf("leader: TTL %s must be at least twice the renew interval %s", ttl, renew)
	}
	name := l.Name
	if name == "" {
		name = DefaultElection
	}
	panics := 0
	for {
		l.beat()
		sent := time.Now()
		ectx, cancel := context.WithTimeout(ctx, renew)
		term, ok, err := l.Store.Elect(ectx, name, l.ID, ttl)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			l.Log.Warn("leader election", slog.String("error", err.Error()))
		case ok:
			if l.serve(ctx, term, sent, lead) {
				panics++
			} else {
				panics = 0
			}
		}
		wait := retry
		if panics > 0 {
			wait = max(retry, min(retry<<panics, maxLeadPanicPause))
		}
		if !l.sleep(ctx, wait) {
			return nil
		}
	}
}

// sleep waits d, beating; false when ctx ends first.
func (l *Leader) sleep(ctx context.Context, d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		left := time.Until(end)
		if left <= 0 {
			return true
		}
		t := time.NewTimer(min(left, time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		l.beat()
	}
}

// serve leads one term, which began with an election sent at sent, until it ends. It
// reports whether the led work panicked.
func (l *Leader) serve(ctx context.Context, term store.LeaderTerm, sent time.Time, lead func(ctx context.Context)) (panicked bool) {
	renew, ttl, _ := l.intervals()
	log := l.Log.With(slog.Int64("term", term.Term))
	log.Info("became leader")
	l.changed(true)

	leadCtx, cancel := context.WithCancel(store.WithLeaderFence(ctx, term))
	defer cancel()
	until := sent.Add(ttl)
	expiry := time.AfterFunc(time.Until(until), cancel)
	defer expiry.Stop()
	done := make(chan bool, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Error("led work panicked; giving up leadership", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				done <- true
			}
		}()
		lead(leadCtx)
		done <- false
	}()

	renewals := time.NewTicker(renew)
	defer renewals.Stop()
	beats := time.NewTicker(time.Second)
	defer beats.Stop()
	var why string
	finished := false
loop:
	for {
		select {
		case <-ctx.Done():
			why = "shutting down"
			break loop
		case panicked = <-done:
			finished = true
			why = "led work stopped"
			break loop
		case <-leadCtx.Done():
			why = "term ran out without a confirmed renewal"
			if ctx.Err() != nil {
				why = "shutting down"
			}
			break loop
		case <-beats.C:
			l.beat()
		case <-renewals.C:
			l.beat()
			sent := time.Now()
			if !sent.Before(until) {
				continue // the term is over: leadCtx is done
			}
			// One renewal may take a renew interval, and never past the end of the term:
			// a silent connection must neither keep this replica leading past the time it
			// may be replaced nor use up the term (the next try takes another connection).
			end := sent.Add(renew)
			if until.Before(end) {
				end = until
			}
			rctx, rcancel := context.WithDeadline(ctx, end)
			err := l.Store.RenewLeadership(rctx, term, ttl)
			rcancel()
			l.beat()
			switch {
			case err == nil:
				if !expiry.Stop() {
					why = "term ran out while the renewal was answered"
					break loop
				}
				until = sent.Add(ttl)
				expiry.Reset(time.Until(until))
			case errors.Is(err, store.ErrNotLeader):
				why = "another replica took over"
				break loop
			case ctx.Err() == nil:
				log.Warn("renew leadership", slog.String("error", err.Error()), slog.Duration("term_left", time.Until(until)))
			}
		}
	}
	cancel()
	l.changed(false)
	if !finished {
		panicked = <-done
	}
	if why == "term ran out without a confirmed renewal" || why == "another replica took over" {
		log.Warn("stopped leading", slog.String("why", why))
	} else {
		log.Info("stopped leading", slog.String("why", why))
	}
	if time.Now().Before(until) {
		// Hand over at once rather than at the expiry: a rolling restart, or led work
		// that stopped, should not leave the deployment without a leader for a term.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), resignTimeout)
		if err := l.Store.Resign(rctx, term); err != nil {
			log.Warn("resign leadership", slog.String("error", err.Error()))
		}
		rcancel()
	}
	return panicked
}

func (l *Leader) changed(leading bool) {
	if l.OnChange != nil {
		l.OnChange(leading)
	}
}
