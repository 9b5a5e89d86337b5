package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"loa/chat"
	"loa/config"
	"loa/store"
)

// admins knows who loa's admins are and tells them — never the members — what needs
// their attention, through the outbox like any broadcast, so an alert survives restarts
// and is paced and retried.
type admins struct {
	store     *store.Store
	admins    []int64 // LOA_ADMINS
	adminChat string  // LOA_ADMIN_CHAT
	log       *slog.Logger
}

func newAdmins(cfg config.Config, st *store.Store, log *slog.Logger) *admins {
	return &admins{store: st, admins: cfg.Admins, adminChat: cfg.AdminChat, log: log}
}

// alert sends text to LOA_ADMIN_CHAT, or else to each admin's private chat (admins of
// LOA_ADMINS and of the database, on their channel). key makes it once: the same key
// raised by two replicas is one alert.
func (a *admins) alert(ctx context.Context, key, text string) {
	a.log.Warn("alert", slog.String("key", key), slog.String("text", text))
	to, err := a.recipients(ctx)
	if err != nil {
		a.log.Error("alert recipients", slog.String("error", err.Error()))
		return
	}
	if len(to) == 0 {
		a.log.Warn("alert not sent: no admin chat (set LOA_ADMINS or LOA_ADMIN_CHAT)", slog.String("key", key))
		return
	}
	if _, _, err := a.store.CreateAlert(ctx, "alert:"+key, text, to); err != nil {
		a.log.Error("alert", slog.String("key", key), slog.String("error", err.Error()))
	}
}

func (a *admins) recipients(ctx context.Context) ([]chat.Chat, error) {
	if a.adminChat != "" {
		kind := chat.KindGroup
		if strings.HasPrefix(a.adminChat, "-100") {
			kind = chat.KindSupergroup
		} else if !strings.HasPrefix(a.adminChat, "-") {
			kind = chat.KindPrivate
		}
		return []chat.Chat{{Channel: chat.Telegram, Address: a.adminChat, Kind: kind}}, nil
	}
	seen := map[chat.Chat]bool{}
	var to []chat.Chat
	add := func(c chat.Chat) {
		if !seen[c] {
			seen[c] = true
			to = append(to, c)
		}
	}
	for _, id := range a.admins {
		add(chat.Chat{Channel: chat.Telegram, Address: strconv.FormatInt(id, 10), Kind: chat.KindPrivate})
	}
	dbAdmins, err := a.store.Admins(ctx)
	if err != nil {
		return nil, err
	}
	for _, ad := range dbAdmins {
		// A private chat's id is the user's id, on Telegram and on Zalo.
		add(chat.Chat{Channel: ad.Channel, Address: ad.UserID, Kind: chat.KindPrivate})
	}
	return to, nil
}

// reportFailures tells the admins about broadcasts that finished with failures. The
// store queues each alert in the same transaction that marks the broadcast reported, so
// a replica dying in between loses no report.
func (a *admins) reportFailures(ctx context.Context) error {
	to, err := a.recipients(ctx)
	if err != nil {
		return err
	}
	_, err = a.store.ReportFinished(ctx, func(r store.BroadcastReport) (store.NewAlert, bool) {
		var reasons []string
		for _, f := range r.Failures {
			reasons = append(reasons, fmt.Sprintf("%d × %s: %s", f.Count, f.Status, f.Reason))
		}
		title := r.Title
		if title == "" {
			title = r.SourceKey
		}
		key := fmt.Sprintf("failures:%d", r.ID)
		text := fmt.Sprintf("Bản tin #%d «%s» đã gửi xong: %d thành công, %d thất bại, %d huỷ.\nLý do: %s",
			r.ID, title, r.Sent, r.Failed, r.Cancelled, strings.Join(reasons, "; "))
		a.log.Warn("alert", slog.String("key", key), slog.String("text", text))
		if len(to) == 0 {
			a.log.Warn("alert not sent: no admin chat (set LOA_ADMINS or LOA_ADMIN_CHAT)", slog.String("key", key))
			return store.NewAlert{}, false
		}
		return store.NewAlert{SourceKey: "alert:" + key, Text: text, To: to}, true
	})
	return err
}

// isAdmin answers the bot's admin check: LOA_ADMINS (Telegram) or the admins table.
// channel is a string as bot.Bot.IsAdmin takes it.
func (a *admins) isAdmin(ctx context.Context, name, userID string) bool {
	channel := chat.Channel(name)
	if channel == chat.Telegram {
		if id, err := strconv.ParseInt(userID, 10, 64); err == nil {
			for _, x := range a.admins {
				if x == id {
					return true
				}
			}
		}
	}
	ok, err := a.store.IsAdmin(ctx, channel, userID)
	if err != nil {
		a.log.Error("admin check", slog.String("error", err.Error()))
		return false
	}
	return ok
}
