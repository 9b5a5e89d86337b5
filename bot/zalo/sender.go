package zalo

import (
	"context"

	"loa/broadcast"
	"loa/chat"
)

var _ broadcast.Sender = (*Client)(nil)

// Channel names the channel.
func (c *Client) Channel() chat.Channel { return chat.Zalo }

// Render turns a broadcast into plain-text messages, in order, each at most
// MaxTextLength characters, cut at paragraph, line or word boundaries (see split).
// Nothing is escaped: Zalo shows text as it is, so "Hà Nam & Ninh Bình <2025>" stays
// so. It returns nil only when the content has nothing to show.
func (c *Client) Render(content broadcast.Content) []string { return Render(content) }

// Render is what Client.Render sends, without a client: the web console's preview shows
// exactly what members will read.
func Render(content broadcast.Content) []string {
	return split(render(content), MaxTextLength)
}

// sendParams are sendMessage's parameters; chat_id is a string on Zalo.
type sendParams struct {
	ChatID string `json:"chat_id"`
	Text   string `json:"text"`
}

// Send sends one rendered text to chat.Address (Zalo has no threads: ThreadID is
// ignored). A failure is a *broadcast.SendError (see sendError for the mapping).
func (c *Client) Send(ctx context.Context, chat chat.Chat, text string) error {
	if _, err := c.call(ctx, "sendMessage", sendParams{ChatID: chat.Address, Text: text}, c.callTimeout); err != nil {
		return sendError(err)
	}
	return nil
}
