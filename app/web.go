package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"loa/admin"
	"loa/bot"
	"loa/config"
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

// signInLink is the bot's /web: a one-time link to the console for an admin; nil
// without LOA_PUBLIC_URL (the bot then says it must be set).
func signInLink(cfg config.Config, st *store.Store, ops *admin.Ops, now func() time.Time) func(ctx context.Context, channel, userID string) (string, error) {
	if cfg.PublicURL == "" {
		return nil
	}
	return (&web.Links{Store: st, PublicURL: cfg.PublicURL, IsAdmin: ops.IsAdmin, Now: now}).SignInLink
}

// redeemInvite is the bot's /moi CODE: the sender becomes an admin through the admin
// layer (audited as theirs, via the bot). A code that is unknown, used or expired is the
// bot's ErrInviteInvalid, so it gives one answer for all three.
func redeemInvite(ops *admin.Ops) func(ctx context.Context, channel, userID, name, code string) error {
	return func(ctx context.Context, channel, userID, name, code string) error {
		_, err := ops.RedeemInvite(ctx, admin.Actor{Channel: channel, UserID: userID, Name: name, Via: admin.ViaBot}, code)
		if errors.Is(err, admin.ErrInviteInvalid) {
			return fmt.Errorf("%w: %w", bot.ErrInviteInvalid, err)
		}
		return err
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
			cs := web.ChannelState{Channel: ch.name, On: true, Webhook: ch.webhookURL != "", Queue: queue[ch.name],
				Stalled: stalled["delivery "+string(ch.name)]}
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
