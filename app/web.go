package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"loa/admin"
	"loa/health"
	"loa/store"
	"loa/web"
)

// console builds the web console of this replica (every replica serves it: sessions
// live in PostgreSQL), mounted at "/" beside the operational endpoints.
func (s *Service) console(st *store.Store, ops *admin.Ops, chans []*channel, monitor *health.Monitor, now func() time.Time) *web.Console {
	return &web.Console{
		Store:          st,
		Ops:            ops,
		Location:       s.Config.Location,
		Now:            now,
		PublicURL:      s.Config.PublicURL,
		TrustedProxies: s.Config.TrustedProxies,
		IsAdmin:        ops.IsAdmin,
		EnvAdmins:      s.Config.Admins,
		Health:         channelStates(st, chans, monitor, now),
		Log:            s.Log.With(slog.String("part", "web")),
	}
}

// mountConsole serves the console at "/": every path the operational endpoints and
// webhooks do not take.
func mountConsole(mux *http.ServeMux, c *web.Console) {
	mux.Handle("/", c.Handler())
}

// channelStates reports each configured channel's state for the overview: its pause
// (shared by the replicas), its queue, how updates arrive, and whether this replica's
// delivery loop is stuck.
func channelStates(st *store.Store, chans []*channel, monitor *health.Monitor, now func() time.Time) func(ctx context.Context) []web.ChannelState {
	return func(ctx context.Context) []web.ChannelState {
		stalled := map[string]bool{}
		for _, s := range monitor.Stalled() {
			stalled[s.Loop] = true
		}
		queue, _ := st.PendingDeliveries(ctx) // an unknown queue shows as 0; the page is still useful
		var out []web.ChannelState
		for _, ch := range chans {
			cs := web.ChannelState{Channel: ch.name, On: true, Mode: "polling", Queue: queue[ch.name],
				Stalled: stalled["delivery "+string(ch.name)]}
			if ch.webhookURL != "" {
				cs.Mode = "webhook"
			}
			if until, reason, err := st.ChannelPause(ctx, ch.name); err == nil && until.After(now()) {
				cs.PausedUntil, cs.PauseReason = &until, reason
			}
			out = append(out, cs)
		}
		return out
	}
}

// forgetWebState is the leader's sweep of expired sessions, links, invites and old
// failed sign-in counts.
func forgetWebState(st *store.Store, now func() time.Time) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := now()
		_, err := st.ForgetWebState(ctx, t, t.Add(-24*time.Hour))
		return err
	}
}
