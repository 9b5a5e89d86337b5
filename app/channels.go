package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"loa/admin"
	"loa/bot"
	"loa/bot/botapi"
	"loa/bot/inbox"
	"loa/bot/telegram"
	"loa/bot/zalo"
	"loa/broadcast"
	"loa/chat"
	"loa/config"
	"loa/store"
)

// telegramAPILimit is Telegram's documented limit: about 30 messages a second per bot.
// A higher LOA_TELEGRAM_RATE (a local Bot API server) raises it.
const telegramAPILimit = 30

// channel is one messenger of a running replica: the dispatcher sending its deliveries
// (every replica), and its inbound updates — received by long polling on the leader, or
// by a webhook served by every replica, stored in the inbox, and handled by the inbox
// worker of every replica.
type channel struct {
	name       chat.Channel
	dispatcher *broadcast.Dispatcher
	// inbox stores the channel's updates and handles them (every replica).
	inbox *inbox.Worker
	log   *slog.Logger
	// webhookURL is set in webhook mode; webhook then serves it.
	webhookURL string
	webhook    http.Handler
	// setWebhook registers the webhook; poll long-polls until ctx ends.
	setWebhook func(ctx context.Context) error
	poll       func(ctx context.Context) error
	// setup runs at the start of each leadership term (the command menu); may be nil.
	setup func(ctx context.Context) error
}

// deps is what every channel is built from.
type deps struct {
	cfg     config.Config
	now     func() time.Time
	store   *store.Store
	ops     *admin.Ops // what the bot's admin commands go through
	metrics *broadcast.Metrics
	admins  *admins
	owner   string
	log     *slog.Logger
}

// bot is a channel's bot: its username (for "/start@loa_bot"; "" where there is none)
// and what its chats can do, as the adapter declares it.
func (d deps) bot(username string, caps bot.Capabilities) *bot.Bot {
	return &bot.Bot{
		Store:        d.store,
		IsAdmin:      d.admins.isAdmin,
		Log:          d.log,
		Location:     d.cfg.Location,
		Username:     username,
		Now:          d.now,
		Admin:        d.ops,
		Capabilities: caps,
		SignInLink:   signInLink(d.cfg, d.store, d.ops, d.now),
		RedeemInvite: redeemInvite(d.ops),
	}
}

// inbox is the channel's inbound worker: every replica handles stored updates, the
// ones it received first (it is told at once) and the others' (found within Idle).
func (d deps) inbox(name chat.Channel, adapter inbox.Adapter, b *bot.Bot, log *slog.Logger) *inbox.Worker {
	return &inbox.Worker{Store: d.store, Channel: name, Adapter: adapter, Handler: b, Log: log}
}

// The adapters are what the inbox worker needs, and replies share the send rate.
var (
	_ inbox.Adapter     = (*telegram.Client)(nil)
	_ inbox.Adapter     = (*zalo.Client)(nil)
	_ botapi.SharedRate = replyRate{}
	_ slotReserver      = (*store.Store)(nil)
)

// slotReserver is the store's shared send-slot booking, as replies use it (the
// dispatcher books from the same row for broadcasts).
type slotReserver interface {
	ReserveSlots(ctx context.Context, channel chat.Channel, n int, spacing time.Duration) (time.Duration, error)
	ReserveChat(ctx context.Context, channel chat.Channel, address string, spacing time.Duration) (time.Duration, error)
	ChatSent(ctx context.Context, channel chat.Channel, address string, spacing time.Duration) error
}

// replyRate is a channel's shared send rate as the adapters' replies see it: a slot
// from the channel's rate row, after the channel's pause, and a 429 pauses the channel
// for every replica and for broadcasts too.
type replyRate struct {
	st      *store.Store
	slots   slotReserver
	channel chat.Channel
	rate    float64
	now     func() time.Time
}

func (d deps) replyRate(channel chat.Channel, rate float64) replyRate {
	return replyRate{st: d.store, slots: d.store, channel: channel, rate: rate, now: d.now}
}

// Reserve books one slot for a reply to chat and returns how long to wait for it:
// until the channel's slot and the chat's own pacing allow it (both judged by the
// database's clock, as for broadcasts), and at least until the channel's pause ends.
func (r replyRate) Reserve(ctx context.Context, chat string, spacing time.Duration) (time.Duration, error) {
	until, _, err := r.st.ChannelPause(ctx, r.channel)
	if err != nil {
		return 0, err
	}
	forChat, err := r.slots.ReserveChat(ctx, r.channel, chat, spacing)
	if err != nil {
		return 0, err
	}
	wait, err := r.slots.ReserveSlots(ctx, r.channel, 1, time.Duration(float64(time.Second)/r.rate))
	if err != nil {
		return 0, err
	}
	// The pause is read after the queries: time spent waiting for a pooled connection
	// must not push the send past it.
	return max(wait, forChat, until.Sub(r.now())), nil
}

// Sent starts the chat's pacing afresh once a reply was accepted. A failure only costs
// the margin: the reply is out either way.
func (r replyRate) Sent(ctx context.Context, chat string, spacing time.Duration) {
	_ = r.slots.ChatSent(ctx, r.channel, chat, spacing)
}

// Pause pauses the channel for d, as a broadcast's 429 does.
func (r replyRate) Pause(ctx context.Context, d time.Duration, reason string) error {
	return r.st.PauseChannel(ctx, r.channel, r.now().Add(d), reason)
}

func (d deps) dispatcher(sender broadcast.Sender, rate, limit float64, log *slog.Logger) *broadcast.Dispatcher {
	return &broadcast.Dispatcher{
		Store:   d.store,
		Sender:  sender,
		Log:     log,
		Metrics: d.metrics,
		Owner:   d.owner,
		Rate:    rate,
		Limit:   limit,
		Lease:   d.cfg.DeliveryLease,
		// config keeps the lease at least twice the send timeout, so a send and the
		// recording of its outcome always fit in it. The loop's own database calls are
		// bounded by the record timeout too: kept within LOA_DB_TIMEOUT, so a silent
		// database never holds the loop past the stall limit (at least twice it).
		SendTimeout:   d.cfg.SendTimeout,
		RecordTimeout: min(broadcast.DefaultRecordTimeout, d.cfg.SendTimeout, d.cfg.DBTimeout),
		MaxAge:        d.cfg.DeliveryMaxAge,
		Alert:         d.admins.alert,
	}
}

// newChannels builds the channels whose tokens are configured.
func newChannels(ctx context.Context, d deps) ([]*channel, error) {
	messengers := []struct {
		name     chat.Channel
		token    string
		variable string // the token's environment variable
		build    func(context.Context, deps) (*channel, error)
	}{
		{chat.Telegram, d.cfg.Telegram.Token, "LOA_TELEGRAM_TOKEN", newTelegram},
		{chat.Zalo, d.cfg.Zalo.Token, "LOA_ZALO_TOKEN", newZalo},
	}
	var chs []*channel
	for _, m := range messengers {
		if m.token == "" {
			d.log.Info(m.name.String() + ": no " + m.variable + ", channel off")
			continue
		}
		ch, err := m.build(ctx, d)
		if err != nil {
			return nil, err
		}
		chs = append(chs, ch)
	}
	return chs, nil
}

func newTelegram(ctx context.Context, d deps) (*channel, error) {
	tc := d.cfg.Telegram
	log := d.log.With(slog.String("channel", chat.Telegram.String()))
	client, err := telegram.New(telegram.Options{Token: tc.Token, APIEndpoint: tc.APIEndpoint,
		Options: botapi.Options{Log: log, Replies: d.replyRate(chat.Telegram, tc.Rate)}})
	if err != nil {
		return nil, err
	}
	ch := newChannel(ctx, d, channelSpec{
		name: chat.Telegram, client: client, log: log,
		webhookURL: tc.WebhookURL, secret: cmp.Or(tc.WebhookSecret, telegram.DeriveWebhookSecret(tc.Token)),
		rate: tc.Rate, limit: max(telegramAPILimit, tc.Rate),
		// The bot's username tells "/start@loa_bot" from a command for another bot in
		// a group.
		addressed: true,
	})
	ch.setup = func(ctx context.Context) error { return client.SetCommands(ctx, bot.Commands()) }
	return ch, nil
}

func newZalo(ctx context.Context, d deps) (*channel, error) {
	zc := d.cfg.Zalo
	log := d.log.With(slog.String("channel", chat.Zalo.String()))
	client, err := zalo.New(zalo.Options{Token: zc.Token, APIBase: zc.APIBase, Alert: d.admins.alert,
		Options: botapi.Options{Log: log, Replies: d.replyRate(chat.Zalo, zc.Rate)}})
	if err != nil {
		return nil, err
	}
	return newChannel(ctx, d, channelSpec{
		name: chat.Zalo, client: client, log: log,
		webhookURL: zc.WebhookURL, secret: cmp.Or(zc.WebhookSecret, zalo.DeriveWebhookSecret(zc.Token)),
		// Zalo publishes no per-second limit: the configured rate is the limit too.
		rate: zc.Rate, limit: zc.Rate,
	}), nil
}

// messenger is what a channel needs of its Bot API client; telegram.Client and
// zalo.Client both provide it.
type messenger interface {
	broadcast.Sender
	inbox.Adapter
	Capabilities() bot.Capabilities
	GetMe(ctx context.Context) (string, error)
	SetWebhook(ctx context.Context, url, secret string) error
	WebhookHandler(secret string, in botapi.Inbox) http.Handler
	Poll(ctx context.Context, in botapi.Inbox) error
}

// channelSpec is what sets one messenger's channel apart from another's.
type channelSpec struct {
	name   chat.Channel
	client messenger
	log    *slog.Logger
	// webhookURL is set in webhook mode; secret is the webhook's secret token.
	webhookURL, secret string
	// rate is the configured sending rate; limit the messenger's own.
	rate, limit float64
	// addressed: commands in groups may name the bot ("/start@loa_bot"), so the bot
	// needs its username.
	addressed bool
}

// newChannel builds the channel of a messenger's client. The bot's name is asked for at
// once, but the messenger being down must not stop the service: it goes on without the
// name, and an addressed bot then takes every command in a group as its own.
func newChannel(ctx context.Context, d deps, spec channelSpec) *channel {
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	name, err := spec.client.GetMe(gctx)
	cancel()
	if err != nil {
		spec.log.Warn("getMe failed; going on without the bot's name", slog.String("error", err.Error()))
	} else {
		spec.log.Info("connected", slog.String("bot", name))
	}
	username := ""
	if spec.addressed {
		username = name
	}
	client, secret := spec.client, spec.secret
	in := d.inbox(spec.name, client, d.bot(username, client.Capabilities()), spec.log)
	return &channel{
		name:       spec.name,
		dispatcher: d.dispatcher(client, spec.rate, spec.limit, spec.log),
		inbox:      in,
		log:        spec.log,
		webhookURL: spec.webhookURL,
		webhook:    client.WebhookHandler(secret, in),
		setWebhook: func(ctx context.Context) error { return client.SetWebhook(ctx, spec.webhookURL, secret) },
		poll:       func(ctx context.Context) error { return client.Poll(ctx, in) },
	}
}

// mount adds the webhook endpoint, on the path of the webhook URL, in webhook mode.
// Every replica serves it: a load balancer may send the messenger's requests to any.
func (c *channel) mount(mux *http.ServeMux) {
	if c.webhookURL == "" {
		return
	}
	u, _ := url.Parse(c.webhookURL) // validated by config.Load
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux.Handle("POST "+path, c.webhook)
}

// run sends deliveries and handles stored updates until ctx ends; every replica runs
// it.
func (c *channel) run(ctx context.Context) {
	all(ctx, func(ctx context.Context) {
		if err := c.dispatcher.Run(ctx); err != nil {
			c.log.Error("dispatcher stopped", slog.String("error", err.Error()))
		}
	}, func(ctx context.Context) {
		if err := c.inbox.Run(ctx); err != nil {
			c.log.Error("inbox worker stopped", slog.String("error", err.Error()))
		}
	})
}

// lead is the channel's work on the leader: its setup, the webhook registration, or
// long polling (a bot has one poller at a time).
func (c *channel) lead(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if c.setup != nil {
		if err := c.setup(cctx); err != nil && ctx.Err() == nil {
			c.log.Warn("setup failed", slog.String("error", err.Error()))
		}
	}
	if c.webhookURL != "" {
		if err := c.setWebhook(cctx); err != nil && ctx.Err() == nil {
			c.log.Error("setWebhook failed; members' messages will not arrive", slog.String("error", err.Error()))
		}
		return
	}
	if err := c.poll(ctx); err != nil && ctx.Err() == nil {
		c.log.Error("polling stopped", slog.String("error", err.Error()))
	}
}

// replicaID names this process in delivery leases.
func replicaID() string {
	host, _ := os.Hostname() // diagnostics only: "" is fine
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// all runs the functions together and returns when all have returned. A panic in one
// is recovered in its goroutine, stops the others (their shared context is cancelled)
// and is raised again, with its stack, in the caller's goroutine once all have
// returned: the leader recovers it there and ends its term instead of the process
// crashing.
func all(ctx context.Context, fns ...func(context.Context)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first any
	)
	for _, fn := range fns {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Sprintf("%v\n%s", r, debug.Stack())
					}
					mu.Unlock()
					cancel()
				}
			}()
			fn(ctx)
		})
	}
	wg.Wait()
	if first != nil {
		panic(first)
	}
}
