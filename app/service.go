// Package app wires loa's parts into the running service: the store, the leader-elected
// scheduler and the HTTP endpoints for health, readiness and metrics. cmd/loa builds a
// Service from the configuration and runs it; end-to-end tests run it in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"loa/broadcast"
	"loa/calendar"
	"loa/config"
	"loa/health"
	"loa/scheduler"
	"loa/store"
)

// ShutdownTimeout bounds a graceful stop: in-flight requests and polls get this long.
const ShutdownTimeout = 10 * time.Second

// Service is one loa replica.
type Service struct {
	Config  config.Config
	Log     *slog.Logger
	Version string
	// Now is the clock (default time.Now); tests move it to make feeds due.
	Now func() time.Time
	// Tick is how often the leader looks for due feeds (default 1s).
	Tick time.Duration
	// LeaderRenew, LeaderTTL and LeaderRetry tune the election: how often the leader
	// renews its term, how long a term lasts past a renewal, and how often a standby
	// tries to take over (defaults in scheduler.Leader: 5 s, 15 s, 2 s).
	LeaderRenew, LeaderTTL, LeaderRetry time.Duration

	addrOnce sync.Once
	addrCh   chan string
}

// UserAgent is what loa calls itself when fetching feeds.
func UserAgent(version string) string {
	return "loa/" + version + " (RSS announcement broadcaster)"
}

// Addr waits until the HTTP server listens and returns its address ("127.0.0.1:PORT"
// when configured with ":0"), or "" if ctx ends first.
func (s *Service) Addr(ctx context.Context) string {
	select {
	case a := <-s.addrChan():
		s.addrChan() <- a // leave it for the next caller
		return a
	case <-ctx.Done():
		return ""
	}
}

func (s *Service) addrChan() chan string {
	s.addrOnce.Do(func() { s.addrCh = make(chan string, 1) })
	return s.addrCh
}

// Run starts the replica and blocks until ctx ends, then shuts down within
// ShutdownTimeout. It migrates the database first, under the migration lock, so several
// replicas may start at once.
func (s *Service) Run(ctx context.Context) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	st, err := store.OpenWith(ctx, s.Config.DatabaseURL, store.Options{Timeout: s.Config.DBTimeout})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := s.prepare(ctx, st); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	leaderGauge := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "loa_leader",
		Help: "1 while this replica is the leader (runs the scheduler), else 0.",
	})
	reg.MustRegister(leaderGauge)

	metrics := broadcast.NewMetrics(reg)
	adm := newAdmins(s.Config, st, s.Log)
	owner := replicaID()
	monitor := health.New(s.Config.StallLimit, nil)
	if s.Config.StallLimit < 2*s.Config.DBTimeout {
		s.Log.Warn("LOA_STALL_LIMIT is under twice LOA_DB_TIMEOUT: a loop waiting on a silent database may be taken for stuck, and a database outage restart replicas",
			slog.Duration("stall_limit", s.Config.StallLimit), slog.Duration("db_timeout", s.Config.DBTimeout))
	}
	sched := &scheduler.Scheduler{Location: s.Config.Location, Log: s.Log, Jobs: s.jobs(st, reg, adm, now)}
	leader := &scheduler.Leader{
		Store:         st,
		ID:            owner,
		RenewInterval: s.LeaderRenew,
		TTL:           s.LeaderTTL,
		RetryInterval: s.LeaderRetry,
		Log:           s.Log,
		Heartbeat:     monitor.Loop("leadership"),
		OnChange: func(leading bool) {
			if leading {
				leaderGauge.Set(1)
			} else {
				leaderGauge.Set(0)
			}
		},
	}

	ops := NewOps(s.Config, st, s.Version)
	ops.Now = now
	chans, err := newChannels(ctx, deps{cfg: s.Config, now: now, store: st, ops: ops, metrics: metrics, admins: adm, owner: owner, log: s.Log})
	if err != nil {
		return err
	}
	mux := newHandler(st, reg, monitor, s.Log)
	lead := []func(context.Context){sched.Run}
	for _, ch := range chans {
		ch.dispatcher.Heartbeat = monitor.Loop("delivery " + string(ch.name))
		ch.inbox.Heartbeat = monitor.Loop("inbound " + string(ch.name))
		ch.mount(mux)
		lead = append(lead, ch.lead)
	}
	mountConsole(mux, s.console(st, ops, chans, monitor, now))

	ln, err := net.Listen("tcp", s.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Config.HTTPAddr, err)
	}
	srv := newHTTPServer(mux, defaultHTTPLimits, s.Log)
	s.addrChan() <- ln.Addr().String()
	s.Log.Info("loa started", slog.String("version", s.Version), slog.String("http_addr", ln.Addr().String()),
		slog.String("timezone", s.Config.Location.String()))
	for _, w := range s.Config.Warnings {
		s.Log.Warn("configuration: " + w)
	}

	var wg sync.WaitGroup
	serveErr := make(chan error, 1)
	wg.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	})
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	wg.Go(func() {
		_ = leader.Run(runCtx, func(ctx context.Context) { all(ctx, lead...) }) // nil when runCtx ends
	})
	for _, ch := range chans {
		wg.Go(func() { ch.run(runCtx) })
	}
	wg.Go(func() { s.watchQueue(runCtx, st, metrics) })

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-serveErr:
		runErr = fmt.Errorf("http server: %w", runErr)
	}
	s.Log.Info("shutting down")
	stop()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.Log.Warn("http shutdown", slog.String("error", err.Error()))
	}
	wg.Wait()
	s.Log.Info("stopped")
	return runErr
}

// prepare brings the database up to date (Prepare), and says what it did.
func (s *Service) prepare(ctx context.Context, st *store.Store) error {
	applied, added, err := Prepare(ctx, st)
	if len(applied) > 0 {
		s.Log.Info("applied migrations", slog.Any("versions", applied))
	}
	if added > 0 {
		s.Log.Info("added built-in calendar events", slog.Int("events", added))
	}
	return err
}

// Prepare brings the database up to date: migrations (under their lock, so replicas
// may start together) and the built-in calendar's events (only those missing, so
// admins' edits stay). The service and every CLI command that opens the database
// start with it.
func Prepare(ctx context.Context, st *store.Store) (applied []int, added int, err error) {
	if applied, err = st.Migrate(ctx); err != nil {
		return nil, 0, fmt.Errorf("migrate: %w", err)
	}
	builtin, err := calendar.Builtin()
	if err != nil {
		return applied, 0, fmt.Errorf("built-in calendar: %w", err)
	}
	if added, err = st.SeedBuiltinEvents(ctx, builtin); err != nil {
		return applied, 0, fmt.Errorf("seed the built-in calendar: %w", err)
	}
	return applied, added, nil
}

// jobs is the leader's periodic work: idempotent catch-up runs on intervals.
func (s *Service) jobs(st *store.Store, reg *prometheus.Registry, adm *admins, now func() time.Time) []scheduler.Job {
	poller := NewPoller(s.Config, st, s.Version)
	poller.Log, poller.Metrics, poller.Now, poller.Alert = s.Log, scheduler.NewMetrics(reg), now, adm.alert
	announcer := &scheduler.Announcer{
		Store: st, Location: s.Config.Location, Now: now, Log: s.Log,
		Grace: s.Config.AnnounceGrace, Alert: adm.alert, Event: st.Event,
	}
	notifier := &scheduler.Notifier{
		Store: st, Location: s.Config.Location, Hour: s.Config.NoticeHour, Minute: s.Config.NoticeMinute,
		Now: now, Log: s.Log,
	}
	tick := s.Tick
	if tick <= 0 {
		tick = time.Second
	}
	return []scheduler.Job{
		{Name: "poll due feeds", Every: tick, Run: func(ctx context.Context) error { _, err := poller.PollDue(ctx); return err }},
		{Name: "make due announcement runs", Every: tick, Run: func(ctx context.Context) error { _, err := announcer.Tick(ctx); return err }},
		{Name: "report finished broadcasts with failures", Every: time.Minute, Run: adm.reportFailures},
		// After an upgrade to counters (migration 008): count the older broadcasts' rows,
		// one broadcast per transaction; a no-op read once all are counted.
		{Name: "count broadcasts made before the counters", Every: time.Minute, Run: func(ctx context.Context) error {
			counted, left, err := st.CountOldBroadcasts(ctx, 200)
			if counted > 0 {
				s.Log.Info("counted older broadcasts", slog.Int("counted", counted), slog.Int("left", left))
			}
			return err
		}},
		// Every few seconds, not every minute, so a 07:00 notice goes out at 07:00; the
		// tick is a read of today's source keys once the day's notices exist.
		{Name: "anniversary notices", Every: 10 * tick, Run: func(ctx context.Context) error { _, err := notifier.Tick(ctx); return err }},
		// Daily chart of subscribers: today's snapshot, replaced until the day ends.
		{Name: "snapshot subscribers", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			return st.SnapshotSubscribers(ctx, s.Config.Location, now())
		}},
		// Retention: old finished deliveries (their counts stay), item bodies, stale
		// drafts and old audit entries, in small batches beside sending.
		{Name: "prune history", Every: time.Hour, Run: func(ctx context.Context) error {
			p, err := st.Prune(ctx, now(), store.Retention{Deliveries: s.Config.Retention, Audit: s.Config.AuditRetention}, false)
			if p != (store.Pruned{}) {
				s.Log.Info("pruned history", slog.Int64("deliveries", p.Deliveries), slog.Int64("item_bodies", p.ItemBodies),
					slog.Int64("drafts", p.Drafts), slog.Int64("audit_entries", p.AuditEntries))
			}
			return err
		}},
		{Name: "forget expired web sessions", Every: time.Hour, Run: forgetWebState(st, now)},
		// Messengers redeliver within minutes; a week of handled updates is plenty.
		{Name: "forget old inbound updates", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := st.ForgetInbound(ctx, inboxRetention)
			return err
		}},
	}
}

// inboxRetention is how long handled inbound updates are kept, so that a late
// redelivery is still recognised.
const inboxRetention = 7 * 24 * time.Hour

// watchQueue keeps the queue-depth gauge current.
func (s *Service) watchQueue(ctx context.Context, st *store.Store, m *broadcast.Metrics) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		cctx, cancel := context.WithTimeout(ctx, s.Config.DBTimeout)
		depth, err := st.PendingDeliveries(cctx)
		cancel()
		if err == nil {
			m.SetQueueDepth(depth)
		} else if ctx.Err() == nil {
			s.Log.Warn("count pending deliveries", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// NewLogger builds the service's logger: text or JSON on w at the configured level.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config.Load
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
