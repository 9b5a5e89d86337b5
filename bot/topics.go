package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"

	"loa/store"
)

// Topic buttons say what pressing them does, not just "toggle": "t1:<topic>" turns the
// topic on, "t0:<topic>" turns it off. A double tap, or a press on a keyboard that another
// admin has since changed, thus sets the state the member saw on the button instead of
// flipping it back.
//
// Telegram allows 64 bytes of button data. A topic too long for that is named by a hash
// instead: "h1:<hex>"/"h0:<hex>", the first 16 bytes of its SHA-256, looked up among the
// current topics. Unlike an index, a hash stays valid when feeds (and so topics) are added
// or removed; data that names no current topic is reported as an outdated menu.
const (
	maxButtonData = 64
	topicPrefix   = "t"
	hashPrefix    = "h"
	hashBytes     = 16
)

// topicData is the data of the button that turns the topic on or off.
func topicData(topic string, on bool) string {
	state := "0"
	if on {
		state = "1"
	}
	if d := topicPrefix + state + ":" + topic; len(d) <= maxButtonData {
		return d
	}
	return hashPrefix + state + ":" + topicHash(topic)
}

func topicHash(topic string) string {
	sum := sha256.Sum256([]byte(topic))
	return hex.EncodeToString(sum[:hashBytes])
}

// parseTopicData returns the topic among topics that data names, and whether the button
// turns it on; ok is false for data that is not a topic button or names no current topic.
func parseTopicData(data string, topics []string) (topic string, on, ok bool) {
	head, rest, found := strings.Cut(data, ":")
	if !found || len(head) != 2 || (head[1] != '0' && head[1] != '1') {
		return "", false, false
	}
	on = head[1] == '1'
	for _, t := range topics {
		switch head[:1] {
		case topicPrefix:
			if t == rest && topicData(t, on) == data {
				return t, on, true
			}
		case hashPrefix:
			if topicHash(t) == rest && topicData(t, on) == data {
				return t, on, true
			}
		}
	}
	return "", false, false
}

// keyboard has one button per topic, a row each: pressing a topic the chat receives
// mutes it, and the reverse.
func keyboard(topics, muted []string) [][]Button {
	rows := make([][]Button, 0, len(topics))
	for _, t := range topics {
		on := !slices.Contains(muted, t)
		mark := markOn
		if !on {
			mark = markOff
		}
		rows = append(rows, []Button{{Text: mark + " " + TopicName(t), Data: topicData(t, !on)}})
	}
	return rows
}

// topicChoice returns the chat's subscriber, if it is active, and the topics it may
// choose among, as topics, toggle and the topic buttons all need them. ok is false (and
// err nil) when the chat never subscribed or has stopped; the topics are then not read.
func (b *Bot) topicChoice(ctx context.Context, u Update) (sub store.Subscriber, topics []string, ok bool, err error) {
	sub, err = b.Store.SubscriberByChat(ctx, u.Chat.Channel, u.Chat.Address)
	if isNotFound(err) {
		return store.Subscriber{}, nil, false, nil
	}
	if err != nil {
		return store.Subscriber{}, nil, false, err
	}
	if sub.Status != store.StatusActive {
		return sub, nil, false, nil
	}
	topics, err = b.Store.Topics(ctx)
	return sub, topics, true, err
}

// topics shows the chat's topics and how to change them: a keyboard where there are
// buttons, else the numbered list that "bật N" and "tắt N" refer to.
func (b *Bot) topics(ctx context.Context, u Update, _ request) Response {
	// A stopped chat's choices would be reset by the /start that brings it back, so
	// offering them would mislead.
	sub, topics, ok, err := b.topicChoice(ctx, u)
	if err != nil {
		return b.failed(u, "show topics", err)
	}
	if !ok {
		return reply(notSubscribedText(b.Capabilities, u.Chat.Kind))
	}
	if !b.Capabilities.Buttons {
		return reply(topicListText(u.Chat.Kind, topics, sub.MutedTopics))
	}
	return Response{Replies: []Reply{{Text: topicsText(u.Chat.Kind), Buttons: keyboard(topics, sub.MutedTopics)}}}
}

// topicOn is "bật N" typed; topicOff "tắt N".
func (b *Bot) topicOn(ctx context.Context, u Update, r request) Response {
	return b.toggle(ctx, u, true, r.n)
}

func (b *Bot) topicOff(ctx context.Context, u Update, r request) Response {
	return b.toggle(ctx, u, false, r.n)
}

// toggle turns the n-th topic of the list (store.Topics' order, as topics shows it
// without buttons) on or off. It sets the state asked for, so sending "tắt 2" twice is
// harmless. Numbers follow the list as it is now: a feed added since the member last
// saw it may shift them, which is why the answer names the topic and shows the list.
func (b *Bot) toggle(ctx context.Context, u Update, on bool, n int) Response {
	if n == 0 {
		return reply(toggleUsageText)
	}
	_, topics, ok, err := b.topicChoice(ctx, u)
	if err != nil {
		return b.failed(u, "toggle topic", err)
	}
	if !ok {
		return reply(notSubscribedText(b.Capabilities, u.Chat.Kind))
	}
	if n < 1 || n > len(topics) {
		return reply(noSuchTopicText(n, len(topics)))
	}
	topic := topics[n-1]
	sub, err := b.Store.SetTopicMuted(ctx, u.Chat.Channel, u.Chat.Address, topic, !on)
	switch {
	case isNotFound(err):
		return reply(notSubscribedText(b.Capabilities, u.Chat.Kind))
	case err != nil:
		return b.failed(u, "toggle topic", err)
	}
	b.chatLog(u).Info("topic changed", slog.String("topic", topic), slog.Bool("on", on),
		slog.String("user_id", u.From.ID))
	return reply(topicToast(on, topic) + "\n\n" + topicListText(u.Chat.Kind, topics, sub.MutedTopics))
}

// callback answers a pressed button: a draft's (admin.go), or a topic button, which
// sets the topic as the button said, answers with a toast and redraws the keyboard in
// place.
func (b *Bot) callback(ctx context.Context, u Update) Response {
	if strings.HasPrefix(u.Callback.Data, adminPrefix) {
		return b.adminButton(ctx, u) // a draft's buttons (admin.go)
	}
	if u.Chat.Kind != kindPrivate && !b.isAdmin(ctx, u) {
		return Response{CallbackText: topicsAdminOnlyText}
	}
	data := u.Callback.Data
	if !strings.HasPrefix(data, topicPrefix) && !strings.HasPrefix(data, hashPrefix) {
		return Response{CallbackText: outdatedToast}
	}
	sub, topics, ok, err := b.topicChoice(ctx, u)
	if err != nil {
		return b.failed(u, "toggle topic", err)
	}
	if !ok {
		return Response{CallbackText: notSubscribedToast(u.Chat.Kind)}
	}
	topic, on, ok := parseTopicData(data, topics)
	if !ok {
		return Response{CallbackText: outdatedToast}
	}
	// The button says the state to set, not "toggle": a double tap changes nothing.
	changed := slices.Contains(sub.MutedTopics, topic) == on
	if sub, err = b.Store.SetTopicMuted(ctx, u.Chat.Channel, u.Chat.Address, topic, !on); isNotFound(err) {
		return Response{CallbackText: notSubscribedToast(u.Chat.Kind)}
	} else if err != nil {
		return b.failed(u, "toggle topic", err)
	}
	if changed {
		b.chatLog(u).Info("topic changed", slog.String("topic", topic), slog.Bool("on", on),
			slog.String("user_id", u.From.ID))
	}
	resp := Response{CallbackText: topicToast(on, topic)}
	if u.Callback.MessageID != "" {
		resp.Edit = &Reply{Text: topicsText(u.Chat.Kind), Buttons: keyboard(topics, sub.MutedTopics)}
	}
	return resp
}
