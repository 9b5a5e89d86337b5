package bot

import (
	"context"
	"errors"
	"log/slog"
)

// The bot's entry points to the web console (issue 11): an admin asks for a one-time
// sign-in link (/web, or "web" typed), and a new admin redeems the invite code an admin
// created in the console (/moi CODE, or "mời CODE" typed). Both are hooks (Bot.SignInLink,
// Bot.RedeemInvite) that the web console's side implements on the admin operations
// layer; the bot only asks and words the answer. Both are in the command table like
// every other command: /web is an admin command for private chats, /moi anyone's in a
// private chat, offered only when RedeemInvite is set.

// ErrInviteInvalid is what RedeemInvite returns (wrapped or not) for a code that names
// no invite the sender may use: unknown, used or expired. The bot gives one answer for
// all three, so that guessing codes learns nothing.
var ErrInviteInvalid = errors.New("invite code unknown, used or expired")

// web sends an admin a one-time link that signs them in to the web console. The link is
// never logged.
func (b *Bot) web(ctx context.Context, u Update, _ request) Response {
	if b.SignInLink == nil {
		return reply(webNotConfiguredText)
	}
	link, err := b.SignInLink(ctx, string(u.Chat.Channel), u.From.ID)
	if err != nil {
		return b.failed(u, "sign-in link", err)
	}
	b.adminLog(u).Info("sign-in link sent")
	return reply(webLinkText(link))
}

// redeem makes the sender an admin with an invite code. An admin already is one: the
// code is left unused, for whoever it was meant for.
func (b *Bot) redeem(ctx context.Context, u Update, r request) Response {
	code, _ := nextField(r.args)
	caps := b.Capabilities
	switch {
	case code == "":
		return reply(inviteUsageText(caps))
	case u.From.ID == "":
		return reply(inviteInvalidText) // nobody to make an admin (an anonymous sender)
	case b.isAdmin(ctx, u):
		return reply(alreadyAdminText(caps))
	}
	err := b.RedeemInvite(ctx, string(u.Chat.Channel), u.From.ID, u.From.Name, code)
	switch {
	case errors.Is(err, ErrInviteInvalid):
		// Logged without the code: a wrong guess must not leave a right one in the logs.
		b.chatLog(u).Warn("invite refused", slog.String("user_id", u.From.ID))
		return reply(inviteInvalidText)
	case err != nil:
		return b.failed(u, "redeem invite", err)
	}
	b.chatLog(u).Info("invite redeemed: a new admin", slog.String("user_id", u.From.ID))
	return reply(welcomeAdminText(caps))
}
