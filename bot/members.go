package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"loa/chat"
	"loa/store"
)

// start subscribes the chat to every topic. A chat that is already active keeps the
// topics it chose: a second /start (a member tapping it again, or unsure whether it
// worked) should not silently undo their /topics choices.
func (b *Bot) start(ctx context.Context, u Update, _ request) Response {
	sub, err := b.Store.SubscriberByChat(ctx, u.Chat.Channel, u.Chat.Address)
	switch {
	case err == nil && sub.Status == store.StatusActive:
		return reply(b.alreadyText(u.Chat.Kind, u.Chat.IsForum))
	case err != nil && !isNotFound(err):
		return b.failed(u, "subscribe", err)
	}
	if _, _, err := b.Store.Subscribe(ctx, chat.Chat{
		Channel: u.Chat.Channel, Address: u.Chat.Address, Kind: u.Chat.Kind, Title: cleanTitle(u.Chat.Title),
	}); err != nil {
		return b.failed(u, "subscribe", err)
	}
	b.chatLog(u).Info("subscribed", slog.String("user_id", u.From.ID))
	return reply(b.startText(u.Chat.Kind, u.Chat.IsForum))
}

// stop stops the chat's subscription; the row stays, so /start brings it back.
func (b *Bot) stop(ctx context.Context, u Update, _ request) Response {
	sub, err := b.Store.SubscriberByChat(ctx, u.Chat.Channel, u.Chat.Address)
	switch {
	case isNotFound(err) || (err == nil && sub.Status != store.StatusActive):
		return reply(notSubscribedText(b.Capabilities, u.Chat.Kind))
	case err != nil:
		return b.failed(u, "unsubscribe", err)
	}
	reason := "stopped by member"
	if u.Chat.Kind != kindPrivate {
		reason = "stopped by admin"
	}
	err = b.Store.SetSubscriberStatus(ctx, u.Chat.Channel, u.Chat.Address, store.StatusStopped, reason)
	switch {
	case isNotFound(err):
		return reply(notSubscribedText(b.Capabilities, u.Chat.Kind))
	case err != nil:
		return b.failed(u, "unsubscribe", err)
	}
	b.chatLog(u).Info("unsubscribed", slog.String("user_id", u.From.ID))
	return reply(stoppedText(b.Capabilities, u.Chat.Kind))
}

// latest lists the newest articles, newest first.
func (b *Bot) latest(ctx context.Context, u Update, _ request) Response {
	items, err := b.Store.LatestItems(ctx, latestCount)
	if err != nil {
		return b.failed(u, "latest items", err)
	}
	if len(items) == 0 {
		return reply(noArticlesText)
	}
	var sb strings.Builder
	sb.WriteString(latestHeader)
	for i, it := range items {
		title := strings.Join(strings.Fields(it.Title), " ")
		if title == "" {
			title = untitled
		}
		sb.WriteString("\n\n" + strconv.Itoa(i+1) + ". " + title)
		if !it.Published.IsZero() {
			sb.WriteString(" (" + it.Published.In(b.location()).Format(dateLayout) + ")")
		}
		if it.Link != "" {
			sb.WriteString("\n" + it.Link)
		}
	}
	return reply(sb.String())
}

// here makes broadcasts to a forum supergroup go to the topic the admin wrote in. In
// the General topic (thread 0) it sends them back to General. In a group only loa
// admins get here (the table's rule).
func (b *Bot) here(ctx context.Context, u Update, _ request) Response {
	if u.Chat.Kind != kindSupergroup || !u.Chat.IsForum {
		return reply(hereNoTopicText)
	}
	err := b.Store.SetThread(ctx, u.Chat.Channel, u.Chat.Address, u.Chat.ThreadID)
	switch {
	case isNotFound(err):
		return reply(hereNotSubscribedText)
	case err != nil:
		return b.failed(u, "set thread", err)
	}
	b.chatLog(u).Info("broadcasts go to a forum topic", slog.Int64("thread_id", u.Chat.ThreadID),
		slog.String("user_id", u.From.ID))
	if u.Chat.ThreadID == 0 {
		return reply(hereGeneralText)
	}
	return reply(hereText)
}
