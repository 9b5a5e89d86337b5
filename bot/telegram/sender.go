package telegram

import (
	"context"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/broadcast"
	"loa/chat"
)

var _ broadcast.Sender = (*Client)(nil)

// Channel names the channel.
func (c *Client) Channel() chat.Channel { return chat.Telegram }

// Render turns a broadcast into Telegram HTML messages, in order, each at most
// MaxTextLength UTF-16 units of visible text (see renderHTML for how long content is
// split). Every piece of the content is escaped. It returns nil only when the content
// has nothing to show (an article without title, summary or link).
func (c *Client) Render(content broadcast.Content) []string { return Render(content) }

// Render is what Client.Render sends, without a client: the web console's preview shows
// exactly what members will read.
func Render(content broadcast.Content) []string {
	return renderHTML(render(content), MaxTextLength)
}

// Send sends one rendered text (Telegram HTML) to chat.Address, in the forum topic
// chat.ThreadID when it is not 0. A failure is a *broadcast.SendError (see sendError
// for the mapping).
func (c *Client) Send(ctx context.Context, chat chat.Chat, text string) error {
	if _, err := c.call(ctx, "sendMessage", htmlParams(chat, text), c.callTimeout); err != nil {
		return sendError(err)
	}
	return nil
}

// messageParams are sendMessage's parameters for text to chat, in its forum topic
// when chat.ThreadID is not 0.
func messageParams(chat chat.Chat, text string) tgbotapi.Params {
	p := tgbotapi.Params{"chat_id": chat.Address, "text": text}
	if chat.ThreadID != 0 {
		p["message_thread_id"] = strconv.FormatInt(chat.ThreadID, 10)
	}
	return p
}

// htmlParams are sendMessage's parameters for a rendered part (Telegram HTML): how
// Send sends a broadcast, and a preview shows it.
func htmlParams(chat chat.Chat, part string) tgbotapi.Params {
	p := messageParams(chat, part)
	p["parse_mode"] = tgbotapi.ModeHTML
	return p
}
