package bot

import (
	"context"
	"log/slog"

	"loa/chat"
	"loa/store"
)

// membership answers the bot being added to or removed from a chat. Only a loa admin
// may add it to a group, supergroup or channel; anyone else gets a refusal and the bot
// leaves.
func (b *Bot) membership(ctx context.Context, u Update) Response {
	log := b.chatLog(u).With(slog.String("user_id", u.From.ID))
	if u.Membership.RightsChanged {
		b.rightsChanged(ctx, u, log)
		return Response{} // a channel's admins need no answer; the chat may not take one
	}
	if !u.Membership.Added {
		// Removed or kicked from a group; in a private chat, the member blocked the bot.
		reason := "bot removed from chat"
		if u.Chat.Kind == kindPrivate {
			reason = "bot blocked by member"
		}
		err := b.Store.SetSubscriberStatus(ctx, u.Chat.Channel, u.Chat.Address, store.StatusGone, reason)
		switch {
		case isNotFound(err):
		case err != nil:
			log.Error("mark subscriber gone", slog.String("error", err.Error()))
		default:
			log.Info("subscriber gone", slog.String("reason", reason))
		}
		return Response{} // nobody to tell
	}
	if u.Chat.Kind == kindPrivate {
		// A member unblocked the bot: they subscribe again with /start if they wish.
		return Response{}
	}
	if !b.isAdmin(ctx, u) {
		log.Warn("bot added to a chat by someone who is not an admin; leaving")
		return Response{Replies: []Reply{{Text: notAllowedToAddText(u.Chat.Kind)}}, Leave: true}
	}
	if _, _, err := b.Store.Subscribe(ctx, chat.Chat{
		Channel: u.Chat.Channel, Address: u.Chat.Address, Kind: u.Chat.Kind, Title: cleanTitle(u.Chat.Title),
	}); err != nil {
		return b.failed(u, "subscribe added chat", err)
	}
	log.Info("bot added to a chat by an admin; subscribed")
	return reply(b.greetingText(u.Chat.Kind, u.Chat.IsForum))
}

// rightsChanged resumes a paused chat whose admins gave the bot its right to post
// back. A right taken away is only logged: the next send to the chat meets the refusal
// and pauses it, with the alert (broadcast.ChatPaused), so there is one path to a pause.
func (b *Bot) rightsChanged(ctx context.Context, u Update, log *slog.Logger) {
	if !u.Membership.CanPost {
		log.Info("the chat took the bot's right to post")
		return
	}
	resumed, err := b.Store.ResumeChat(ctx, u.Chat.Channel, u.Chat.Address)
	switch {
	case err != nil:
		log.Error("resume chat", slog.String("error", err.Error()))
	case resumed:
		log.Info("the bot may post again: chat resumed")
	}
}

// migrate re-keys a group that became a supergroup. The old chat no longer exists, so
// there is nobody to answer.
func (b *Bot) migrate(ctx context.Context, u Update) {
	log := b.chatLog(u).With(slog.String("new_chat_id", u.MigratedTo))
	sub, err := b.Store.MigrateChat(ctx, u.Chat.Channel, u.Chat.Address, u.MigratedTo)
	switch {
	case isNotFound(err):
		log.Info("group migrated to a supergroup; it was not a subscriber")
	case err != nil:
		log.Error("migrate chat", slog.String("error", err.Error()))
	default:
		log.Info("group migrated to a supergroup", slog.Int64("subscriber_id", sub.ID))
	}
}
