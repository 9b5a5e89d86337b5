// Package broadcast delivers broadcasts: sources create them, together with one pending
// delivery per matching subscriber (the outbox, in store), and a Dispatcher per channel
// claims due deliveries, paces them under the channel's limits, sends them through the
// channel's Sender and records each outcome as it returns.
//
// Guarantees, and where they come from:
//   - Nothing is lost: a delivery leaves "pending" only when it was sent, failed
//     permanently, or was cancelled; a sender that dies leaves its leased rows to be
//     claimed again when the lease ends.
//   - Nothing is said twice, except a message whose send was accepted by the API just
//     before the process died and before the outcome was recorded (at most the sends in
//     flight, Concurrency).
//   - Limits are the bot's, not the process's: send slots are reserved from one row
//     shared by every replica, and a 429 seen by one replica pauses them all.
//   - Per-chat order and pacing: a chat's next delivery is claimable only when the one
//     before it has finished and the chat's spacing has passed.
package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"loa/chat"
	"loa/store"
)

// Defaults for a Dispatcher's zero fields.
const (
	DefaultChatSpacing  = time.Second     // Telegram: about one message a second per chat
	DefaultGroupSpacing = 3 * time.Second // Telegram: 20 messages a minute per group
	DefaultLease        = time.Minute
	DefaultMaxAge       = 24 * time.Hour
	DefaultConcurrency  = 16
	DefaultIdle         = 500 * time.Millisecond
	// DefaultMaxPanics: a delivery whose sending panicked this many times fails.
	DefaultMaxPanics = 3
	// DefaultRetryBackoff is the wait after a first transient failure (or panic),
	// doubling with each further one.
	DefaultRetryBackoff = 2 * time.Second
	// DefaultSendTimeout bounds one send, as the adapters' own call timeout does.
	DefaultSendTimeout = 30 * time.Second
	// DefaultRecordTimeout bounds the database writes that record one outcome.
	DefaultRecordTimeout = 10 * time.Second
	// DefaultPausedSweep: how often a paused chat's too old deliveries are failed.
	DefaultPausedSweep = time.Minute
	// A refused token is tried again after 10 s, then 20 s, 40 s, … at most 5 minutes:
	// a token fixed quickly resumes sending quickly, a dead one costs a call now and then.
	unauthorizedPause    = 10 * time.Second
	maxUnauthorizedPause = 5 * time.Minute
	// shutdownGrace is how long sends in flight may finish after Run's context ends.
	shutdownGrace = 5 * time.Second
	// pauseRefresh is how often a sending replica re-reads the shared channel pause.
	pauseRefresh    = 100 * time.Millisecond
	maxRetryBackoff = 10 * time.Minute
	// DefaultQuotaBackoff is the first pause after a rate limit that names no wait (a
	// quota ran out: Zalo's 429), doubling with each one in a row up to
	// DefaultMaxQuotaBackoff: a per-second window frees within the first pauses, a
	// daily or monthly quota is asked about once an hour, not hammered.
	DefaultQuotaBackoff    = 5 * time.Second
	DefaultMaxQuotaBackoff = time.Hour
	// DefaultQuotaAlertAfter: the admins are told once a channel has been held back by
	// its quota this long; shorter pauses are routine.
	DefaultQuotaAlertAfter = 10 * time.Minute
	// DefaultGoneAfter and DefaultGoneSpan: a chat whose answers are GoneIfRepeated is
	// gone after 3 of them in a row over at least a day — a day covers a messenger's
	// bad hour, three sends a chance fluke. DefaultGoneEvidence: such an answer counts
	// only when a send to another chat got through within the 10 minutes before it
	// (an outage, or a wrong API base, answers the same for every chat).
	DefaultGoneAfter    = 3
	DefaultGoneSpan     = 24 * time.Hour
	DefaultGoneEvidence = 10 * time.Minute
)

// Dispatcher sends one channel's deliveries. Run one per channel on every replica.
type Dispatcher struct {
	Store   *store.Store
	Sender  Sender
	Log     *slog.Logger
	Metrics *Metrics
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Owner identifies this replica in leases (diagnostics only).
	Owner string
	// Rate is the channel's overall rate in messages per second, shared by all replicas.
	Rate float64
	// Limit is the API's own limit in messages per second (Telegram: 30), which this
	// replica never exceeds as the API counts, stalls included; 0 means Rate.
	Limit float64
	// ChatSpacing and GroupSpacing are the least time between two messages to one
	// private chat, and to one group, supergroup or channel.
	ChatSpacing, GroupSpacing time.Duration
	// Lease is how long a claimed delivery stays claimed.
	Lease time.Duration
	// MaxAge: a delivery still failing transiently this long after it was created fails.
	MaxAge time.Duration
	// Concurrency bounds the sends in flight.
	Concurrency int
	// Idle is how long to wait when nothing is due.
	Idle time.Duration
	// SendTimeout bounds one call of Sender.Send.
	SendTimeout time.Duration
	// RecordTimeout bounds the writes that record a send's outcome.
	RecordTimeout time.Duration
	// RetryBackoff is the wait after a first transient failure or panic; it doubles
	// with each further one, up to ten minutes.
	RetryBackoff time.Duration
	// Heartbeat, when set, is called at least once a second while Run's loop is alive,
	// waits included (a pause, no work, all sends busy), and never from inside a
	// database or API call: a loop stuck in one stops beating (contracts.md item 4).
	Heartbeat func()
	// MaxPanics: a delivery whose sending panicked this many times fails with reason
	// panic instead of being tried again.
	MaxPanics int
	// Alert tells the admins; key makes one alert of several raisings (nil: log only).
	Alert func(ctx context.Context, key, text string)
	// QuotaBackoff is the first pause after a RateLimited error without RetryAfter (a
	// quota ran out); it doubles with each such error in a row, up to MaxQuotaBackoff,
	// and a send that gets through starts it afresh. QuotaAlertAfter: the admins are
	// alerted once such errors have held the channel back this long. Defaults 5 s, 1 h
	// and 10 minutes.
	QuotaBackoff, MaxQuotaBackoff, QuotaAlertAfter time.Duration
	// GoneAfter, GoneSpan and GoneEvidence decide when Rejected answers marked
	// GoneIfRepeated make a chat gone: GoneAfter of them in a row over at least
	// GoneSpan, each counted only when a send to another chat got through within
	// GoneEvidence before it. Defaults 3, 24 h and 10 minutes.
	GoneAfter              int
	GoneSpan, GoneEvidence time.Duration
	// PausedSweep is how often paused chats' deliveries older than MaxAge are failed
	// (default DefaultPausedSweep): the claim passes them over, so no send ever
	// judges their age.
	PausedSweep time.Duration
	// sweptAt (unix nanoseconds, by Now) is when the last sweep ran.
	sweptAt atomic.Int64

	win *window
	// sharedPause caches the channel pause read from the store, so a 429 seen by
	// another replica stops this one's batch within pauseRefresh.
	sharedPause    atomic.Int64
	pauseCheckedAt atomic.Int64

	// refusals counts the token refusals in a row, for the pause's backoff.
	refusals atomic.Int32
	// quotaRefusals counts the rate limits without a named wait in a row, quotaSince
	// (unix nanoseconds, 0: none) is when the first of them came, and quotaAlerted
	// says the admins were told about this run of them. A sent delivery resets all
	// three. They are this replica's: each replica doubles its own pause, and the
	// shared pause is the longest.
	quotaRefusals atomic.Int32
	quotaSince    atomic.Int64
	quotaAlerted  atomic.Bool
	// lastSent (unix nanoseconds by Now) is when this replica's last delivery got
	// through, and lastSentTo its subscriber: the evidence that the channel works.
	lastSent   atomic.Int64
	lastSentTo atomic.Int64

	// pausedUntil (unix nanoseconds) is this replica's copy of the channel pause, set
	// the moment one of its sends sees a 429, before the store is told.
	pausedUntil atomic.Int64
}

// channel is the channel this dispatcher sends on.
func (d *Dispatcher) channel() chat.Channel { return chat.Channel(d.Sender.Channel()) }

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Run sends until ctx ends, then lets the sends in flight finish (up to a few seconds)
// and record their outcomes.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Rate <= 0 {
		return fmt.Errorf("dispatcher %s: rate must be above 0", d.channel())
	}
	// A claim must outlast a send and the recording of its outcome, or a slow answer
	// would let another claim send the message again (config refuses such a lease).
	if lease, need := orDefault(d.Lease, DefaultLease), orDefault(d.SendTimeout, DefaultSendTimeout)+
		orDefault(d.RecordTimeout, DefaultRecordTimeout); lease < need {
		return fmt.Errorf("dispatcher %s: lease %s is shorter than a send and its recording (%s)", d.channel(), lease, need)
	}
	// Sends outlive ctx a little: a message half-sent at shutdown is better finished
	// and recorded than abandoned and repeated after the restart.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, cancelSends) })
	defer stop()

	d.win = newWindow(int(max(orDefault(d.Limit, d.Rate), 1)), d.now)
	sem := make(chan struct{}, orDefault(d.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		d.beat()
		wait := d.step(ctx, sendCtx, sem, &wg)
		if ctx.Err() != nil {
			return nil
		}
		if wait > 0 && !d.waitLoop(ctx, d.now().Add(wait)) {
			return nil
		}
	}
}

// heartbeatEvery is how often the loop beats while it waits: twice as often as the
// contract's once a second, so a beat late by a scheduling hiccup still counts.
const heartbeatEvery = 500 * time.Millisecond

func (d *Dispatcher) beat() {
	if d.Heartbeat != nil {
		d.Heartbeat()
	}
}

// waitLoop is the loop's sleepUntil: it waits until the clock reads t, or ctx ends
// (false), beating meanwhile.
func (d *Dispatcher) waitLoop(ctx context.Context, t time.Time) bool {
	for {
		wait := t.Sub(d.now())
		if wait <= 0 {
			return ctx.Err() == nil
		}
		if !sleepUntil(ctx, d.now, d.now().Add(min(wait, heartbeatEvery))) {
			return false
		}
		d.beat()
	}
}

// acquire takes a place among the sends in flight, beating while all are taken.
func (d *Dispatcher) acquire(ctx context.Context, sem chan struct{}) bool {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case sem <- struct{}{}:
			return true
		case <-ctx.Done():
			return false
		case <-tick.C:
			d.beat()
		}
	}
}

// dbCtx bounds one of the loop's database calls, so that a silent connection cannot
// hang the loop (it then stops beating only for that long, and logs the error).
func (d *Dispatcher) dbCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, orDefault(d.RecordTimeout, DefaultRecordTimeout))
}

// step claims one batch and starts its sends at their reserved slots. It returns how
// long to wait before the next step (0: go on at once).
func (d *Dispatcher) step(ctx, sendCtx context.Context, sem chan struct{}, wg *sync.WaitGroup) time.Duration {
	ch := d.channel()
	idle := orDefault(d.Idle, DefaultIdle)
	now := d.now()
	pctx, cancel := d.dbCtx(ctx)
	until, err := d.pause(pctx, true)
	cancel()
	if err != nil {
		d.logError(ctx, "read channel pause", err)
		return idle
	}
	if until.After(now) {
		return until.Sub(now)
	}
	d.sweepPaused(ctx, now)
	// A batch is about a second of sending: the leases stay short, and a pause found by
	// one send holds back little.
	batch := min(max(int(d.Rate), 1), 500)
	lease := orDefault(d.Lease, DefaultLease)
	// The lease is counted here from before the claim was asked for: the database's
	// lease (by its clock) ends no earlier than this replica's view of it.
	claimedAt := time.Now()
	cctx, cancel := d.dbCtx(ctx)
	ds, err := d.Store.ClaimDeliveries(cctx, ch, lease, batch, d.Owner)
	cancel()
	if err != nil {
		d.logError(ctx, "claim deliveries", err)
		return idle
	}
	if len(ds) == 0 {
		return idle
	}
	leaseUntil := claimedAt.Add(lease)
	spacing := time.Duration(float64(time.Second) / d.Rate)
	// book reserves the slots of ds[from:] and says when the first is.
	var start time.Time
	var first int
	book := func(from int) bool {
		rctx, cancel := d.dbCtx(ctx)
		wait, err := d.Store.ReserveSlots(rctx, ch, len(ds)-from, spacing)
		cancel()
		if err != nil {
			d.logError(ctx, "reserve send slots", err)
			d.release(ctx, ds[from:], "")
			return false
		}
		start, first = d.now().Add(wait), from
		return true
	}
	if !book(0) {
		return idle
	}
	rebooked := -1
	for i := 0; i < len(ds); {
		del := ds[i]
		slot := start.Add(time.Duration(i-first) * spacing)
		if !d.waitLoop(ctx, slot) {
			d.release(ctx, ds[i:], "")
			return 0
		}
		pctx, cancel := d.dbCtx(ctx)
		p, _ := d.pause(pctx, false)
		cancel()
		if p.After(d.now()) {
			d.release(ctx, ds[i:], "channel paused")
			return p.Sub(d.now())
		}
		if !d.acquire(ctx, sem) {
			d.release(ctx, ds[i:], "")
			return 0
		}
		// A replica that stood still (a GC pause, a starved CPU, a slow database) wakes
		// with its slots gone by. Sending them now would put them on top of the slots the
		// other replicas hold, which they use on time: a burst above the API's limit that
		// this replica's own window cannot see. Late by more than two slots and by more
		// than minLate, the rest of the batch takes fresh slots and the missed ones stay
		// empty. Once per place in the batch: a replica that is always late still sends.
		if late := d.now().Sub(slot); late > max(2*spacing, minLate) && rebooked != i {
			<-sem
			d.Log.Debug("behind the booked send slots: booking fresh ones",
				slog.Duration("late", late), slog.Int("left", len(ds)-i))
			if !book(i) {
				return idle
			}
			rebooked = i
			continue
		}
		i++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d.deliverRecovering(sendCtx, del, leaseUntil)
		}()
	}
	return 0
}

// sweepPaused fails the deliveries of paused chats that are older than MaxAge, at most
// once every PausedSweep.
func (d *Dispatcher) sweepPaused(ctx context.Context, now time.Time) {
	if now.Sub(time.Unix(0, d.sweptAt.Load())) < orDefault(d.PausedSweep, DefaultPausedSweep) {
		return
	}
	d.sweptAt.Store(now.UnixNano())
	sctx, cancel := d.dbCtx(ctx)
	defer cancel()
	n, err := d.Store.ExpirePausedDeliveries(sctx, d.channel(), orDefault(d.MaxAge, DefaultMaxAge))
	if err != nil {
		d.logError(ctx, "expire paused chats' deliveries", err)
		return
	}
	if n > 0 {
		d.Log.Warn("paused chats' deliveries failed after the max age", slog.String("channel", d.channel().String()),
			slog.Int64("deliveries", n))
	}
}

// release hands claimed deliveries back, due at once, without counting an attempt.
// Its writes outlive ctx (a shutdown) for a moment: a delivery released now is sent
// by another replica at once instead of after its lease.
func (d *Dispatcher) release(ctx context.Context, ds []store.Delivery, reason string) {
	rctx, cancel := d.recordCtx(ctx)
	defer cancel()
	for _, del := range ds {
		d.record(rctx, del, "release", d.Store.RetryDelivery(rctx, del.ID, del.Claim, 0, reason, false)) // else its lease ends on its own
	}
}

// recordCtx is a fresh context for the writes that record an outcome, made after the
// send returned: bounded by RecordTimeout, and not cut short by a shutdown.
func (d *Dispatcher) recordCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), orDefault(d.RecordTimeout, DefaultRecordTimeout))
}

func (d *Dispatcher) localPause() time.Time {
	return time.Unix(0, d.pausedUntil.Load())
}

// pause returns until when the channel is paused: by this replica's own 429s, or by
// any replica's as recorded in the store, re-read when fresh is set or the cached copy
// is older than pauseRefresh.
func (d *Dispatcher) pause(ctx context.Context, fresh bool) (time.Time, error) {
	now := time.Now()
	if fresh || now.Sub(time.Unix(0, d.pauseCheckedAt.Load())) >= pauseRefresh {
		until, _, err := d.Store.ChannelPause(ctx, d.channel())
		if err != nil {
			return d.localPause(), err
		}
		d.sharedPause.Store(until.UnixNano())
		d.pauseCheckedAt.Store(now.UnixNano())
	}
	shared := time.Unix(0, d.sharedPause.Load())
	if local := d.localPause(); local.After(shared) {
		return local, nil
	}
	return shared, nil
}

// spacingFor is the least time between two messages to a chat of this kind.
func (d *Dispatcher) spacingFor(kind chat.Kind) time.Duration {
	if kind == chat.KindPrivate {
		return orDefault(d.ChatSpacing, DefaultChatSpacing)
	}
	return orDefault(d.GroupSpacing, DefaultGroupSpacing)
}

// ChatSpacing is the least time between two messages to a chat of this kind by
// default: Telegram's pace, about one a second to a private chat and 20 a minute to a
// group, supergroup or channel (Zalo publishes none and is kept to the same). The
// adapters pace their replies by it, so replies and broadcasts share one rule.
func ChatSpacing(kind chat.Kind) time.Duration {
	if kind == chat.KindPrivate {
		return DefaultChatSpacing
	}
	return DefaultGroupSpacing
}

// deliverRecovering is deliver in a delivery's own goroutine: a panic in it (a
// renderer or an adapter meeting content it cannot handle) is recovered and logged
// with its stack, and the delivery is released with backoff, or failed with reason
// panic after MaxPanics, instead of killing the process and, after the lease, the next
// replica that claims it.
func (d *Dispatcher) deliverRecovering(sendCtx context.Context, del store.Delivery, leaseUntil time.Time) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		stack := debug.Stack()
		log := d.Log.With(slog.String("channel", del.Channel.String()), slog.Int64("delivery_id", del.ID),
			slog.Int64("subscriber_id", del.SubscriberID), slog.Int64("broadcast_id", del.BroadcastID))
		log.Error("delivery panicked", slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(stack)))
		ctx, cancel := d.recordCtx(sendCtx)
		defer cancel()
		wait := d.backoff(del.Panics + 1)
		failed, err := d.Store.DeliveryPanicked(ctx, del.ID, del.Claim, wait, orDefault(d.MaxPanics, DefaultMaxPanics),
			fmt.Sprintf("panic: %v", r))
		d.record(ctx, del, "record panic", err)
		if failed {
			log.Error("delivery failed after repeated panics", slog.Int("panics", del.Panics+1))
		}
	}()
	d.deliver(sendCtx, del, leaseUntil)
}

// deliver renders and sends one delivery, resuming after the parts already sent, and
// records the outcome under the delivery's claim, leased until leaseUntil.
//
// Every write after a send gets a fresh context (recordCtx), however long the send
// took. Before each part the lease is renewed when what is left of it might not cover
// the send and the recording of its outcome; a write refused because the claim was
// lost (store.ErrClaimLost) stops the delivery: no further part is sent.
func (d *Dispatcher) deliver(sendCtx context.Context, del store.Delivery, leaseUntil time.Time) {
	to := chat.Chat{Channel: del.Channel, Address: del.Address, Kind: del.ChatKind, ThreadID: del.ThreadID}
	parts := d.Sender.Render(Content{Kind: del.Kind, Topic: del.Topic, Title: del.Title, Summary: del.Summary, Link: del.Link})
	if len(parts) == 0 {
		ctx, cancel := d.recordCtx(sendCtx)
		defer cancel()
		d.record(ctx, del, "fail", d.Store.FailDelivery(ctx, del.ID, del.Claim, store.ReasonRejected,
			"nothing to send: the broadcast renders empty"))
		return
	}
	lease := orDefault(d.Lease, DefaultLease)
	began := time.Now()
	for p := del.PartsSent; p < len(parts); p++ {
		if p > del.PartsSent && !d.waitForNextPart(sendCtx, to) {
			d.release(sendCtx, []store.Delivery{del}, "interrupted between parts")
			return
		}
		if !d.win.acquire(sendCtx) {
			d.release(sendCtx, []store.Delivery{del}, "interrupted")
			return
		}
		if !d.keepLease(sendCtx, del, &leaseUntil) {
			d.win.release()
			return
		}
		if err := d.send(sendCtx, to, parts[p]); err != nil {
			d.failed(sendCtx, del, err)
			return
		}
		if p < len(parts)-1 {
			ctx, cancel := d.recordCtx(sendCtx)
			at := time.Now()
			err := d.Store.MarkPartSent(ctx, del.ID, del.Claim, p+1, lease)
			cancel()
			if errors.Is(err, store.ErrClaimLost) {
				d.record(ctx, del, "mark part sent", err)
				return
			}
			if err == nil {
				leaseUntil = at.Add(lease)
			}
			// Any other error: carry on; the next part renews the lease first, and a
			// retry resumes from the last part recorded.
			d.record(ctx, del, "mark part sent", err)
		}
	}
	d.refusals.Store(0)
	d.quotaReset()
	d.lastSentTo.Store(del.SubscriberID)
	d.lastSent.Store(d.now().UnixNano())
	d.Metrics.sent(del.Channel, time.Since(began))
	ctx, cancel := d.recordCtx(sendCtx)
	defer cancel()
	d.record(ctx, del, "mark sent", d.Store.MarkSent(ctx, del.ID, del.Claim, len(parts), d.spacingFor(del.ChatKind)))
}

// send sends one part within SendTimeout, in the window taken before it: the window
// is given back however the send ends, a panic included.
func (d *Dispatcher) send(ctx context.Context, to chat.Chat, text string) error {
	defer d.win.release()
	ctx, cancel := context.WithTimeout(ctx, orDefault(d.SendTimeout, DefaultSendTimeout))
	defer cancel()
	return d.Sender.Send(ctx, to, text)
}

// keepLease renews the delivery's lease when what is left of it may not cover one send
// and the recording of its outcome. It reports false when the delivery must not be
// sent: the claim was lost, or the lease could not be renewed (the database is
// unreachable; the delivery goes to whoever claims it after the lease).
func (d *Dispatcher) keepLease(ctx context.Context, del store.Delivery, leaseUntil *time.Time) bool {
	need := orDefault(d.SendTimeout, DefaultSendTimeout) + orDefault(d.RecordTimeout, DefaultRecordTimeout)
	if time.Until(*leaseUntil) >= need {
		return true
	}
	lease := orDefault(d.Lease, DefaultLease)
	rctx, cancel := d.recordCtx(ctx)
	defer cancel()
	at := time.Now()
	if err := d.Store.RenewLease(rctx, del.ID, del.Claim, lease); err != nil {
		d.record(rctx, del, "renew lease", err)
		return false
	}
	*leaseUntil = at.Add(lease)
	return true
}

// waitForNextPart keeps the chat's spacing between the parts of one long message and
// takes a global slot for each.
func (d *Dispatcher) waitForNextPart(ctx context.Context, to chat.Chat) bool {
	if !sleepUntil(ctx, d.now, d.now().Add(d.spacingFor(to.Kind))) {
		return false
	}
	rctx, cancel := d.dbCtx(ctx)
	wait, err := d.Store.ReserveSlots(rctx, to.Channel, 1, time.Duration(float64(time.Second)/d.Rate))
	cancel()
	if err != nil {
		d.logError(ctx, "reserve send slot", err)
		return false
	}
	return sleepUntil(ctx, d.now, d.now().Add(wait))
}

// failed records a failed send according to its kind, with a fresh context.
func (d *Dispatcher) failed(sendCtx context.Context, del store.Delivery, err error) {
	ctx, cancel := d.recordCtx(sendCtx)
	defer cancel()
	var se *SendError
	if !errors.As(err, &se) {
		se = &SendError{Kind: Transient, Reason: "error", Err: err}
	}
	now := d.now()
	log := d.Log.With(slog.Int64("delivery_id", del.ID), slog.Int64("subscriber_id", del.SubscriberID),
		slog.String("channel", del.Channel.String()), slog.String("reason", se.Reason))
	d.Metrics.failure(del.Channel, se.Kind, se.Reason)
	switch se.Kind {
	case RateLimited:
		// Pause every replica for retry_after plus a little jitter (up to a quarter of it,
		// at most a second), so they do not all come back in the same instant; the
		// message itself is retried. Without a retry_after (a quota), the pause is this
		// replica's doubling backoff; sends in flight when the quota ran out are refused
		// too, and belong to the pause already taken.
		wait := se.RetryAfter
		if wait <= 0 && !d.localPause().After(now) {
			wait = d.quotaPause(ctx, log, del.Channel, now)
		}
		if wait > 0 {
			spread := min(wait/4, time.Second)
			until := now.Add(wait + time.Duration(rand.Int64N(int64(spread)+1)))
			d.pausedUntil.Store(max(d.pausedUntil.Load(), until.UnixNano()))
			log.Warn("rate limited: pausing the channel", slog.Duration("retry_after", wait),
				slog.Bool("quota", se.RetryAfter <= 0))
			d.record(ctx, del, "pause channel", d.Store.PauseChannel(ctx, del.Channel, until, se.Error()))
		}
		// Due at once: the pause holds it back, and lifting the pause frees it.
		d.record(ctx, del, "retry", d.Store.RetryDelivery(ctx, del.ID, del.Claim, 0, se.Error(), false))
	case Unauthorized:
		// Sends in flight when the token went bad are refused too: they belong to the
		// same refusal, which the pause already covers.
		if !d.localPause().After(now) {
			n := min(d.refusals.Add(1), 10)
			until := now.Add(min(unauthorizedPause<<(n-1), maxUnauthorizedPause))
			d.pausedUntil.Store(max(d.pausedUntil.Load(), until.UnixNano()))
			log.Error("the bot token was refused: sending paused, deliveries kept",
				slog.Duration("retry_in", until.Sub(now)), slog.String("error", se.Error()))
			if d.Alert != nil {
				// One alert an hour while the token stays refused.
				d.Alert(ctx, fmt.Sprintf("unauthorized:%s:%s", del.Channel, now.UTC().Format("2006-01-02T15")), fmt.Sprintf(
					"Kênh %s từ chối token của bot (%s): việc gửi tạm dừng, các tin chưa gửi vẫn được giữ. Kiểm tra lại token.",
					del.Channel, se.Reason))
			}
			d.record(ctx, del, "pause channel", d.Store.PauseChannel(ctx, del.Channel, until, se.Error()))
		}
		d.record(ctx, del, "retry", d.Store.RetryDelivery(ctx, del.ID, del.Claim, 0, se.Error(), false))
	case ChatGone:
		log.Info("chat unreachable: subscriber marked gone")
		d.record(ctx, del, "subscriber gone", d.Store.SubscriberGone(ctx, del.ID, del.Claim, del.SubscriberID,
			goneReason(se.Reason), se.Error()))
	case ChatPaused:
		paused, at, err := d.Store.PauseSubscriber(ctx, del.ID, del.Claim, del.SubscriberID, store.PauseNoRights, se.Error())
		d.record(ctx, del, "pause chat", err)
		if !paused {
			return // paused already: its admins were told
		}
		log.Warn("the chat took the bot's right to post: chat paused, deliveries kept", slog.String("error", se.Error()))
		if d.Alert != nil {
			// Once per pause of this chat: the key names the chat and the pause.
			d.Alert(ctx, fmt.Sprintf("chat_paused:%s:%s:%d", del.Channel, del.Address, at.UnixMicro()), fmt.Sprintf(
				"Bot không còn quyền gửi tin vào nhóm/kênh %s (%s, mã người nhận %d): việc gửi tới đó tạm dừng, "+
					"các tin được giữ tối đa %s. Cấp lại quyền đăng tin cho bot, hoặc chạy `loa subscribers resume %d`.",
				del.Address, del.Channel, del.SubscriberID, orDefault(d.MaxAge, DefaultMaxAge), del.SubscriberID))
		}
	case Migrated:
		log.Info("group migrated to a supergroup: re-keyed", slog.String("new_address", se.MigrateTo))
		if _, err := d.Store.MigrateChat(ctx, del.Channel, del.Address, se.MigrateTo); err != nil {
			d.logError(ctx, "migrate chat", err)
		}
		d.record(ctx, del, "retry", d.Store.RetryDelivery(ctx, del.ID, del.Claim, 0, "migrated to "+se.MigrateTo, false))
	case ThreadGone:
		log.Info("forum topic gone: sending to the chat's main thread")
		d.record(ctx, del, "clear thread", d.Store.SetThread(ctx, del.Channel, del.Address, 0))
		d.record(ctx, del, "retry", d.Store.RetryDelivery(ctx, del.ID, del.Claim, 0, se.Error(), false))
	case Rejected:
		if se.GoneIfRepeated {
			d.notFound(ctx, log, del, se, now)
			return
		}
		log.Warn("message rejected", slog.String("error", se.Error()))
		d.record(ctx, del, "fail", d.Store.FailDelivery(ctx, del.ID, del.Claim, rejectedReason(se), se.Error()))
	default:
		if now.Sub(del.CreatedAt) >= orDefault(d.MaxAge, DefaultMaxAge) {
			log.Warn("giving up after repeated failures", slog.Int("attempts", del.Attempts), slog.String("error", se.Error()))
			d.record(ctx, del, "fail", d.Store.FailDelivery(ctx, del.ID, del.Claim, store.ReasonMaxAge,
				fmt.Sprintf("gave up after %d attempts: %s", del.Attempts, se.Error())))
			return
		}
		wait := d.backoff(del.Attempts)
		log.Debug("send failed, will retry", slog.Int("attempts", del.Attempts), slog.Duration("retry_in", wait),
			slog.String("error", se.Error()))
		d.record(ctx, del, "retry", d.Store.RetryDelivery(ctx, del.ID, del.Claim, wait, se.Error(), true))
	}
}

// notFound fails a delivery whose chat answered in a way that, repeated, means the
// chat is gone (see GoneIfRepeated), and counts the answer when a send to another chat
// got through within GoneEvidence before it: otherwise the channel itself may be what
// fails (an outage, a wrong API base), and the answer says nothing about this chat.
func (d *Dispatcher) notFound(ctx context.Context, log *slog.Logger, del store.Delivery, se *SendError, now time.Time) {
	last := time.Unix(0, d.lastSent.Load())
	counted := d.lastSent.Load() != 0 && d.lastSentTo.Load() != del.SubscriberID &&
		now.Sub(last) <= orDefault(d.GoneEvidence, DefaultGoneEvidence)
	run := store.NotFoundRun{Count: orDefault(d.GoneAfter, DefaultGoneAfter), Span: orDefault(d.GoneSpan, DefaultGoneSpan)}
	gone, err := d.Store.ChatNotFound(ctx, del.ID, del.Claim, del.SubscriberID, now, counted, run, se.Error())
	d.record(ctx, del, "chat not found", err)
	switch {
	case err != nil:
	case gone:
		log.Info("chat not found on repeated sends over a day while other chats were reached: subscriber marked gone",
			slog.String("error", se.Error()))
	default:
		log.Warn("message rejected, chat not found", slog.Bool("counted", counted), slog.String("error", se.Error()))
	}
}

// quotaPause counts one more rate limit without a named wait and returns the pause it
// calls for: QuotaBackoff doubling with each in a row, at most MaxQuotaBackoff. Once
// they have held the channel back for QuotaAlertAfter, the admins are alerted, once
// for this run (and, by the key, once a day across replicas).
func (d *Dispatcher) quotaPause(ctx context.Context, log *slog.Logger, channel chat.Channel, now time.Time) time.Duration {
	first := orDefault(d.QuotaBackoff, DefaultQuotaBackoff)
	limit := orDefault(d.MaxQuotaBackoff, DefaultMaxQuotaBackoff)
	n := d.quotaRefusals.Add(1)
	d.quotaSince.CompareAndSwap(0, now.UnixNano())
	wait := first
	for i := int32(1); i < n && wait < limit; i++ {
		wait *= 2
	}
	wait = min(wait, limit)
	held := now.Sub(time.Unix(0, d.quotaSince.Load()))
	if held >= orDefault(d.QuotaAlertAfter, DefaultQuotaAlertAfter) && d.quotaAlerted.CompareAndSwap(false, true) {
		log.Error("quota exceeded: sending held back", slog.Duration("for", held), slog.Duration("next_pause", wait))
		if d.Alert != nil {
			d.Alert(ctx, fmt.Sprintf("quota:%s:%s", channel, now.UTC().Format("2006-01-02")), fmt.Sprintf(
				"Kênh %s báo vượt hạn mức gửi (429) từ %d phút nay: việc gửi tạm dừng và thử lại thưa dần (tối đa %v một lần), "+
					"các tin chưa gửi vẫn được giữ. Hạn mức có thể là theo ngày hoặc theo tháng.",
				channel, int(held/time.Minute), limit))
		}
	}
	return wait
}

// quotaReset starts the quota backoff afresh: a send got through.
func (d *Dispatcher) quotaReset() {
	if d.quotaRefusals.Swap(0) > 0 {
		d.Log.Info("sending again after the quota pauses", slog.String("channel", d.channel().String()))
	}
	d.quotaSince.Store(0)
	d.quotaAlerted.Store(false)
}

// goneReason turns an adapter's ChatGone reason into the stored code.
func goneReason(reason string) store.Reason {
	switch reason {
	case "blocked", "not_following":
		return store.ReasonBlocked
	case "deactivated", "chat_deactivated":
		return store.ReasonDeactivated
	case "kicked", "not_member", "forbidden":
		return store.ReasonKicked
	default:
		return store.ReasonChatNotFound
	}
}

// rejectedReason is the stored code of a rejected message: too_long when the messenger
// said the text is too long, else rejected.
func rejectedReason(se *SendError) store.Reason {
	if strings.Contains(strings.ToLower(se.Error()), "too long") {
		return store.ReasonTooLong
	}
	return store.ReasonRejected
}

// backoff is the wait after the n-th transient failure (or panic): RetryBackoff (2s)
// doubling, at most ten minutes, with ±20% jitter so failed chats do not retry in
// lockstep.
func (d *Dispatcher) backoff(n int) time.Duration {
	return retryBackoff(n, orDefault(d.RetryBackoff, DefaultRetryBackoff))
}

func retryBackoff(n int, first time.Duration) time.Duration {
	d := first
	for i := 1; i < n && d < maxRetryBackoff; i++ {
		d *= 2
	}
	d = min(d, maxRetryBackoff)
	jitter := time.Duration(rand.Int64N(int64(d)*2/5+1)) - d/5
	return d + jitter
}

// record logs a failure to record an outcome. A lost claim is a warning: the delivery
// belongs to a newer claim, which decides its fate. Any other failure leaves the
// delivery to be sent again when its lease ends: the one place a duplicate can come
// from.
func (d *Dispatcher) record(ctx context.Context, del store.Delivery, what string, err error) {
	switch {
	case err == nil:
	case errors.Is(err, store.ErrClaimLost):
		d.Log.Warn("claim lost: outcome not recorded, no further part sent", slog.String("channel", d.channel().String()),
			slog.String("write", what), slog.Int64("delivery_id", del.ID), slog.Int64("claim", del.Claim))
	default:
		d.logError(ctx, what, err)
	}
}

func (d *Dispatcher) logError(ctx context.Context, what string, err error) {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return // shutting down
	}
	d.Log.Error(what, slog.String("channel", d.channel().String()), slog.String("error", err.Error()))
}

// minLate is how late a dispatcher must be behind its booked send slots before it
// books fresh ones, whatever the rate. At 25 a second two slots are 80 ms; at 100,000
// a second they are 20 µs, less than a timer's own jitter, so a dispatcher never
// standing still was always "late" and re-booked (a database round trip) every other
// delivery: BenchmarkThroughput fell from about 3,000 to 400 messages a second. 10 ms
// is 1 % of the APIs' one-second window: the missed slots sent at once are at most 1 %
// of a second's sends.
const minLate = 10 * time.Millisecond

// sleepUntil waits until the clock reads t, or ctx ends (false).
func sleepUntil(ctx context.Context, now func() time.Time, t time.Time) bool {
	wait := t.Sub(now())
	if wait <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
