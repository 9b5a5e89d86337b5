package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"loa/bot"
	"loa/bot/telegram"
	"loa/broadcast"
	"loa/config"
	"loa/store"
)

// telegramAPILimit is Telegram's documented limit: about 30 messages a second per bot.
// A higher LOA_TELEGRAM_RATE (a local Bot API server) raises it.
const telegramAPILimit = 30

// telegramParts is the Telegram channel of a running replica.
type telegramParts struct {
	client     *telegram.Client
	dispatcher *broadcast.Dispatcher
	bot        *bot.Bot
	cfg        config.Telegram
	log        *slog.Logger
}

// newTelegram builds the Telegram channel, or returns nil when no token is configured.
func newTelegram(ctx context.Context, cfg config.Config, st *store.Store, metrics *broadcast.Metrics, owner string, adm *admins, log *slog.Logger) (*telegramParts, error) {
	if cfg.Telegram.Token == "" {
		log.Info("telegram: no LOA_TELEGRAM_TOKEN, channel off")
		return nil, nil
	}
	log = log.With(slog.String("channel", "telegram"))
	client, err := telegram.New(telegram.Options{Token: cfg.Telegram.Token, APIEndpoint: cfg.Telegram.APIEndpoint, Log: log})
	if err != nil {
		return nil, err
	}
	// The bot's username lets it tell "/start@loa_bot" from a command for another bot
	// in a group. Telegram being down must not stop the service: without the name every
	// command is taken as ours.
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	username, err := client.GetMe(gctx)
	cancel()
	if err != nil {
		log.Warn("telegram: getMe failed; going on without the bot's username", slog.String("error", err.Error()))
	} else {
		log.Info("telegram: connected", slog.String("bot", username))
	}
	return &telegramParts{
		client: client,
		cfg:    cfg.Telegram,
		log:    log,
		bot: &bot.Bot{
			Store:    st,
			IsAdmin:  adm.isAdmin,
			Log:      log,
			Location: cfg.Location,
			Username: username,
		},
		dispatcher: &broadcast.Dispatcher{
			Store:   st,
			Sender:  client,
			Log:     log,
			Metrics: metrics,
			Owner:   owner,
			Rate:    cfg.Telegram.Rate,
			Limit:   max(telegramAPILimit, cfg.Telegram.Rate),
			Lease:   cfg.DeliveryLease,
			MaxAge:  cfg.DeliveryMaxAge,
			Alert:   adm.alert,
		},
	}, nil
}

// webhookSecret is the configured secret, or one derived from the token so that every
// replica agrees without configuration.
func (t *telegramParts) webhookSecret() string {
	if t.cfg.WebhookSecret != "" {
		return t.cfg.WebhookSecret
	}
	return telegram.DeriveWebhookSecret(t.cfg.Token)
}

// mount adds the webhook endpoint, on the path of LOA_TELEGRAM_WEBHOOK_URL, when
// webhook mode is on. Every replica serves it: a load balancer may send Telegram's
// requests to any of them.
func (t *telegramParts) mount(mux *http.ServeMux) {
	if t == nil || t.cfg.WebhookURL == "" {
		return
	}
	u, _ := url.Parse(t.cfg.WebhookURL) // validated by config.Load
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux.Handle("POST "+path, t.client.WebhookHandler(t.webhookSecret(), t.bot))
}

// run sends deliveries until ctx ends; every replica runs it.
func (t *telegramParts) run(ctx context.Context) {
	if t == nil {
		return
	}
	if err := t.dispatcher.Run(ctx); err != nil {
		t.log.Error("telegram dispatcher stopped", slog.String("error", err.Error()))
	}
}

// lead is the Telegram work of the leader: the command menu, the webhook registration,
// and long polling when no webhook is configured (Telegram allows one poller per bot).
func (t *telegramParts) lead(ctx context.Context) {
	if t == nil {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	if err := t.client.SetCommands(cctx, bot.Commands()); err != nil && ctx.Err() == nil {
		t.log.Warn("telegram: setMyCommands failed", slog.String("error", err.Error()))
	}
	if t.cfg.WebhookURL != "" {
		if err := t.client.SetWebhook(cctx, t.cfg.WebhookURL, t.webhookSecret()); err != nil && ctx.Err() == nil {
			t.log.Error("telegram: setWebhook failed; members' commands will not arrive", slog.String("error", err.Error()))
		}
		cancel()
		return
	}
	cancel()
	if err := t.client.Poll(ctx, t.bot); err != nil && ctx.Err() == nil {
		t.log.Error("telegram: polling stopped", slog.String("error", err.Error()))
	}
}

// replicaID names this process in delivery leases.
func replicaID() string {
	host, _ := os.Hostname() // diagnostics only: "" is fine
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// all runs the functions together and returns when all have returned.
func all(ctx context.Context, fns ...func(context.Context)) {
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Go(func() { fn(ctx) })
	}
	wg.Wait()
}
