// Package bot answers members' commands (/start, /stop, /topics, /latest, /today,
// /upcoming, /help, /here), admins' commands (/announce, /schedule, /scheduled, /cancel,
// /stats, /broadcast: admin.go), buttons and changes of the bot's membership in groups,
// whatever the messenger: adapters (bot/telegram, bot/zalo) turn their updates into an
// Update and carry out the Response, and declare what their chats can do
// (Capabilities). One command table (commands.go) says, for every command, its name,
// the words members may type instead, who may run it and what answers it; it drives
// parsing, the command menu and the help texts of every messenger.
package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"loa/admin"
	"loa/chat"
	"loa/store"
)

// Chat kinds, as in Chat.Kind and the subscribers table.
const (
	kindPrivate    = chat.KindPrivate
	kindGroup      = chat.KindGroup
	kindSupergroup = chat.KindSupergroup
	kindChannel    = chat.KindChannel
)

// latestCount is how many articles /latest shows.
const latestCount = 5

// Bot answers members' and admins' commands, whatever the messenger. Its fields are set
// once before the first Handle; Handle is safe for concurrent use.
type Bot struct {
	Store *store.Store
	// IsAdmin reports whether the user is a loa admin on that channel. Nil: nobody is.
	IsAdmin func(ctx context.Context, channel, userID string) bool
	// Log receives what happened (never message text beyond a command's name). Nil:
	// nothing is logged.
	Log *slog.Logger
	// Location is the zone of the dates shown to members (Asia/Ho_Chi_Minh). Nil: UTC+7,
	// which is Vietnam's time all year round.
	Location *time.Location
	// Now is the clock that says which day /today and /upcoming are about (in Location).
	// Nil: time.Now.
	Now func() time.Time
	// Username is the bot's @username without the @, so that "/start@loa_bot" is
	// accepted and commands addressed to other bots in a group are ignored. Empty: every
	// command is taken as addressed to this bot.
	Username string
	// Admin is the admin operations layer every admin command goes through (app.NewOps).
	// Nil: one on Store, Location and Now (enough for the bot's commands).
	Admin *admin.Ops
	// SignInLink returns a one-time link that signs the admin userID of channel in to
	// the web console (/web, web.go). Nil: the console has no public address
	// (LOA_PUBLIC_URL), and /web says so.
	SignInLink func(ctx context.Context, channel, userID string) (string, error)
	// RedeemInvite makes userID of channel (called name) an admin with an invite code
	// created in the web console (/moi CODE, web.go); ErrInviteInvalid for a code that
	// is unknown, used or expired. Nil: there are no invites, and /moi is unknown.
	RedeemInvite func(ctx context.Context, channel, userID, name, code string) error
	// Capabilities are what the channel's chats can do, as its adapter declares them:
	// they decide between buttons and typed confirmations, a slash-command menu and
	// typed words. The zero value suits any messenger.
	Capabilities Capabilities
}

// Handle answers one update. Malformed or empty updates get an empty Response; a store
// error is logged and the member gets a short apology, never its details.
func (b *Bot) Handle(ctx context.Context, u Update) Response {
	if u.Chat.Channel == "" || u.Chat.Address == "" {
		return Response{}
	}
	switch u.Chat.Kind {
	case kindPrivate, kindGroup, kindSupergroup, kindChannel:
	default:
		b.log().Debug("update from an unknown kind of chat", slog.String("channel", string(u.Chat.Channel)),
			slog.String("chat_id", u.Chat.Address), slog.String("chat_kind", string(u.Chat.Kind)))
		return Response{}
	}
	switch {
	case u.MigratedTo != "":
		b.migrate(ctx, u)
		return Response{}
	case u.Membership != nil:
		return b.membership(ctx, u)
	case u.Callback != nil:
		return b.callback(ctx, u)
	}
	return b.message(ctx, u)
}

// isAdmin reports whether the update's sender is a loa admin.
func (b *Bot) isAdmin(ctx context.Context, u Update) bool {
	return b.IsAdmin != nil && u.From.ID != "" && b.IsAdmin(ctx, string(u.Chat.Channel), u.From.ID)
}

func (b *Bot) log() *slog.Logger {
	if b.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Log
}

// chatLog is the logger for things that happen in the update's chat.
func (b *Bot) chatLog(u Update) *slog.Logger {
	return b.log().With(slog.String("channel", string(u.Chat.Channel)), slog.String("chat_id", u.Chat.Address),
		slog.String("chat_kind", string(u.Chat.Kind)))
}

// failed logs a store error and returns the apology members see.
func (b *Bot) failed(u Update, op string, err error) Response {
	b.chatLog(u).Error(op, slog.String("error", err.Error()))
	if u.Callback != nil {
		return Response{CallbackText: busyText}
	}
	return reply(busyText)
}

func (b *Bot) location() *time.Location {
	if b.Location == nil {
		return vietnam
	}
	return b.Location
}

// vietnam is UTC+7 without daylight saving time, as Vietnam has kept since 1975.
var vietnam = time.FixedZone("ICT", 7*60*60)

// reply is a Response of one plain message.
func reply(text string) Response {
	return Response{Replies: []Reply{{Text: text}}}
}

// isNotFound reports whether err says the row does not exist.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// cleanTitle makes a chat title safe to store: valid UTF-8 without NUL bytes, which
// PostgreSQL's text type rejects.
func cleanTitle(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
