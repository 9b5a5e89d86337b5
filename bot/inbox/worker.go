// Package inbox makes inbound updates durable and handles them: an adapter stores each
// update it receives in the database (Worker.Add) before it acknowledges it to the
// messenger, and a Worker per channel, on every replica, claims stored updates and
// handles them — different chats at the same time, each chat's updates one at a time
// and in order, whichever replica received them.
//
// "Once" means the state change. An update is marked handled, with the bot's answer,
// right after the bot's change has committed; the answer is then carried out and the
// update marked done. An update interrupted before its change committed (the process
// stopped, the claim lapsed) is handled again; one interrupted while its answer was
// going out is answered again (a reply may repeat) but not handled again. A redelivery
// of an update already stored is ignored, whatever its state.
package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/chat"
	"loa/store"
)

// Defaults for a Worker's zero fields.
const (
	DefaultConcurrency  = 8
	DefaultLease        = time.Minute
	DefaultIdle         = 500 * time.Millisecond
	DefaultPanicBackoff = 5 * time.Second
	DefaultMaxPanics    = 3
	// answersPerHandler: updates whose answers are going out (and waiting for their
	// chat's pacing) may be this many times Concurrency, so that chats being paced
	// never take every handler.
	answersPerHandler = 4
	// maxClaimRetry is the longest gap between claims while the database refuses them.
	maxClaimRetry = 5 * time.Second
	// releaseTimeout bounds the writes that hand a claim back at shutdown.
	releaseTimeout = 5 * time.Second
)

// Adapter is what a Worker needs of a messenger's adapter (bot/telegram, bot/zalo).
type Adapter interface {
	// Parse turns a stored update into the bot's Update.
	Parse(payload []byte) (bot.Update, error)
	// CarryOut does what the bot answered in the update's chat (replies, edits, button
	// answers), paced for that chat; it returns when done. Failures are its to log.
	CarryOut(ctx context.Context, u bot.Update, resp bot.Response)
}

// Handler answers one update; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, u bot.Update) bot.Response
}

// Worker stores one channel's inbound updates and handles them. Run one per channel on
// every replica: the inbox is shared, so any replica may handle an update another
// received. Its fields are set before Run and Add are first called.
type Worker struct {
	Store   *store.Store
	Channel chat.Channel
	Adapter Adapter
	Handler Handler
	Log     *slog.Logger
	// Concurrency bounds the updates handled at once (the bot's database work); their
	// answers going out may be a few times as many, since they mostly wait for their
	// chat's pacing.
	Concurrency int
	// Lease is how long a claim lasts without renewal; it is renewed every third of it
	// while the update is in hand, and judged by the database's clock.
	Lease time.Duration
	// Idle is how often the worker looks for updates stored by other replicas when it
	// has not been told of any (its own are handled at once).
	Idle time.Duration
	// PanicBackoff is the wait after a handler's first panic, doubling after each; after
	// MaxPanics panics the update fails with the panic kept as its reason.
	PanicBackoff time.Duration
	MaxPanics    int
	// Heartbeat, when set, is called at least once a second while Run is alive (also
	// while it waits for work), never from inside a database or API call.
	Heartbeat func()

	wakeOnce sync.Once
	wake     chan struct{}
}

var _ botapi.Inbox = (*Worker)(nil)

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (w *Worker) wakeChan() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// notify wakes Run without blocking.
func (w *Worker) notify() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

// Add stores updates this replica received; when it returns nil they are durable and
// may be acknowledged. Updates stored before (a redelivery) are left as they are.
func (w *Worker) Add(ctx context.Context, updates []botapi.Inbound) error {
	if len(updates) == 0 {
		return nil
	}
	us := make([]store.NewInbound, len(updates))
	for i, u := range updates {
		us[i] = store.NewInbound{UpdateID: u.ID, Chat: u.Chat, Payload: u.Payload}
	}
	added, err := w.Store.AddInbound(ctx, w.Channel, us)
	if err != nil {
		return err
	}
	if added < len(us) {
		w.log().Info("update delivered again: handled once", slog.Int("updates", len(us)), slog.Int("new", added))
	}
	w.notify()
	return nil
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

func (w *Worker) beat() {
	if w.Heartbeat != nil {
		w.Heartbeat()
	}
}

// Run claims and handles updates until ctx ends. Updates in hand when it ends are
// handed back, so that another replica (or the next start) takes them at once.
func (w *Worker) Run(ctx context.Context) error {
	if w.Store == nil || w.Adapter == nil || w.Handler == nil || w.Channel == "" {
		return fmt.Errorf("inbox worker %q: store, adapter, handler and channel are required", w.Channel)
	}
	conc := orDefault(w.Concurrency, DefaultConcurrency)
	handlers := make(chan struct{}, conc)
	inHand := make(chan struct{}, conc*answersPerHandler)
	lease := orDefault(w.Lease, DefaultLease)
	// Waits are at most a second, so that Heartbeat keeps its promise.
	idle := min(orDefault(w.Idle, DefaultIdle), time.Second)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	// While the database refuses claims (an outage), they are tried 1 s, 2 s, 4 s, then
	// every 5 s, and logged at the first failure and every tenth; the loop still beats
	// every second.
	var bo botapi.Backoff
	var retryAt time.Time
	failures := 0
	for {
		w.beat()
		wait := idle
		if free := cap(inHand) - len(inHand); free > 0 && !time.Now().Before(retryAt) {
			us, err := w.Store.ClaimInbound(ctx, w.Channel, free, lease)
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				if failures%10 == 0 {
					w.log().Error("claim inbound updates", slog.String("error", err.Error()), slog.Int("failures", failures+1))
				}
				failures++
				retryAt = time.Now().Add(min(bo.Next(), maxClaimRetry))
			case failures > 0:
				w.log().Info("claiming inbound updates again", slog.Int("failures", failures))
				failures, bo = 0, botapi.Backoff{}
			}
			for _, u := range us {
				inHand <- struct{}{}
				wg.Go(func() {
					defer func() {
						<-inHand
						w.notify() // its chat's next update may be claimable now
					}()
					w.process(ctx, handlers, u)
				})
			}
			if len(us) == free {
				wait = 0 // there may be more
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-w.wakeChan():
		case <-timer.C:
		}
	}
}

// process handles one claimed update: the bot's answer (unless an earlier claim got
// as far as recording it), recorded as handled, carried out, marked done.
func (w *Worker) process(ctx context.Context, handlers chan struct{}, u store.Inbound) {
	log := w.log().With(slog.String("update_id", u.UpdateID), slog.String("chat_id", u.Chat))
	stopRenew := w.renew(ctx, log, u)
	defer stopRenew()
	defer func() {
		if p := recover(); p != nil {
			w.panicked(log, u, p, debug.Stack())
		}
	}()
	upd, err := w.Adapter.Parse(u.Payload)
	if err != nil {
		// It parsed when it was stored: only a change of the parser gets here.
		log.Warn("stored update no longer parses", slog.String("error", err.Error()))
		w.finish(log, u, store.InboxFailed, "unparsable: "+err.Error())
		return
	}
	var resp bot.Response
	if u.Response != nil {
		if err := json.Unmarshal(u.Response, &resp); err != nil {
			w.finish(log, u, store.InboxFailed, "stored answer unreadable: "+err.Error())
			return
		}
		log.Info("update already handled by an interrupted claim: answering again")
	} else {
		select {
		case handlers <- struct{}{}:
		case <-ctx.Done():
			w.release(log, u)
			return
		}
		resp = func() bot.Response {
			defer func() { <-handlers }()
			return w.Handler.Handle(ctx, upd)
		}()
		if ctx.Err() != nil {
			// Stopped while handling: whether the change committed is unknown, so the
			// update is handled again (the bot's commands are safe to repeat).
			w.release(log, u)
			return
		}
		raw, err := json.Marshal(resp)
		if err != nil {
			w.finish(log, u, store.InboxFailed, "answer not encodable: "+err.Error())
			return
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		held, err := w.Store.InboundHandled(wctx, u.ID, u.Claim, raw)
		cancel()
		switch {
		case err != nil:
			// The change has committed; answering is still right. If marking it done
			// fails too, the claim lapses and the update is handled again.
			log.Error("record update handled", slog.String("error", err.Error()))
		case !held:
			log.Warn("claim lapsed while handling: another worker has the update")
			return
		}
	}
	w.Adapter.CarryOut(ctx, upd, resp)
	if ctx.Err() != nil {
		w.release(log, u) // answered again by whoever takes it next
		return
	}
	w.finish(log, u, store.InboxDone, "")
}

// renew extends the claim every third of the lease until the returned function is
// called.
func (w *Worker) renew(ctx context.Context, log *slog.Logger, u store.Inbound) func() {
	lease := orDefault(w.Lease, DefaultLease)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
			held, err := w.Store.RenewInbound(rctx, u.ID, u.Claim, lease)
			switch {
			case rctx.Err() != nil:
				return
			case err != nil:
				log.Warn("renew inbound claim", slog.String("error", err.Error()))
			case !held:
				log.Warn("inbound claim lost while handling")
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}

// panicked records a handler's panic: the update is handed back after a backoff, or
// fails once it has panicked MaxPanics times.
func (w *Worker) panicked(log *slog.Logger, u store.Inbound, p any, stack []byte) {
	n := u.Panics + 1
	log.Error("update handler panicked", slog.Any("panic", p), slog.Int("panics", n), slog.String("stack", string(stack)))
	if n >= orDefault(w.MaxPanics, DefaultMaxPanics) {
		w.finish(log, u, store.InboxFailed, fmt.Sprintf("panic: %v", p))
		return
	}
	wait := orDefault(w.PanicBackoff, DefaultPanicBackoff) << (n - 1)
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	if err := w.Store.ReleaseInbound(ctx, u.ID, u.Claim, wait, true); err != nil {
		log.Error("release inbound update after a panic", slog.String("error", err.Error()))
	}
}

// release hands the update back at once: the process is stopping.
func (w *Worker) release(log *slog.Logger, u store.Inbound) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	if err := w.Store.ReleaseInbound(ctx, u.ID, u.Claim, 0, false); err != nil {
		log.Warn("hand back inbound update (its claim will lapse)", slog.String("error", err.Error()))
	}
}

func (w *Worker) finish(log *slog.Logger, u store.Inbound, status store.InboxStatus, reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	held, err := w.Store.FinishInbound(ctx, u.ID, u.Claim, status, reason)
	switch {
	case err != nil:
		log.Error("finish inbound update (it will be handled again)", slog.String("error", err.Error()))
	case !held:
		log.Warn("claim lapsed before the update was finished: another worker has it")
	case status == store.InboxFailed:
		log.Error("inbound update failed", slog.String("reason", reason))
	}
}
