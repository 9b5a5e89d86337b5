package telegram

import (
	"context"
	"encoding/json"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/bot/botapi"
)

// SecretHeader is the header in which Telegram sends the webhook's secret_token back.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// webhookSecretLabel is what DeriveWebhookSecret signs. Changing it changes every
// derived secret: the next SetWebhook then has to run before requests pass again.
const webhookSecretLabel = "loa telegram webhook secret v1"

// DeriveWebhookSecret derives a webhook secret from the bot token, for when none is
// configured: the hex HMAC-SHA256 of a fixed label keyed by the token. Every replica
// computes the same value without configuration, and it reveals nothing of the token.
// It has 64 characters from [0-9a-f], which Telegram's secret_token accepts.
func DeriveWebhookSecret(token string) string {
	return botapi.DeriveSecret(webhookSecretLabel, token)
}

// SetWebhook points Telegram at url for the update kinds loa handles, with secret as
// the secret_token that comes back in every request ("" means
// DeriveWebhookSecret(token), as WebhookHandler assumes). Pending updates are kept.
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	if secret == "" {
		secret = DeriveWebhookSecret(c.token)
	}
	p := tgbotapi.Params{"url": url, "secret_token": secret}
	if err := p.AddInterface("allowed_updates", allowedUpdates); err != nil {
		return err
	}
	_, err := c.call(ctx, "setWebhook", p, c.callTimeout)
	return err
}

// WebhookHandler receives Telegram's webhook requests and stores each update in the
// inbox, answering 200 as soon as it is stored; workers handle it afterwards
// (bot/inbox), so Telegram never waits for the bot ("" secret means
// DeriveWebhookSecret(token), never "no check"). A request without the right secret
// header gets 401 and is not read; other methods than POST get 405; a body over 1 MiB
// gets 413; one that is not an update's JSON gets 400 (and is logged). An update loa
// does not act on is answered 200 without being stored. When the inbox cannot store
// the update the answer is 500, and Telegram delivers it again later: it is never
// acknowledged before it is durable. Requests may arrive concurrently (up to the
// webhook's max_connections).
func (c *Client) WebhookHandler(secret string, in botapi.Inbox) http.Handler {
	if secret == "" {
		secret = DeriveWebhookSecret(c.token)
	}
	guard := &botapi.WebhookGuard{Header: SecretHeader, Secret: secret, Log: c.log, Now: c.now}
	return botapi.WebhookHandler(guard, in, func(_ context.Context, body []byte) ([]botapi.Inbound, error) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, err
		}
		if u, ok := c.inbound(body); ok {
			return []botapi.Inbound{u}, nil
		}
		return nil, nil
	})
}
