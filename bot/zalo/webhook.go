package zalo

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"loa/bot/botapi"
)

// SecretHeader is the header in which Zalo sends the webhook's secret_token back.
const SecretHeader = "X-Bot-Api-Secret-Token"

// webhookSecretLabel is what DeriveWebhookSecret signs. Changing it changes every
// derived secret: the next SetWebhook then has to run before requests pass again.
const webhookSecretLabel = "loa zalo webhook secret v1"

// DeriveWebhookSecret derives a webhook secret from the bot token, for when none is
// configured: the hex HMAC-SHA256 of a fixed label keyed by the token. Every replica
// computes the same value without configuration, and it reveals nothing of the token.
// It has 64 characters from [0-9a-f], within the 8 to 256 that Zalo's secret_token
// takes.
func DeriveWebhookSecret(token string) string {
	return botapi.DeriveSecret(webhookSecretLabel, token)
}

// webhookParams are setWebhook's parameters: Zalo requires both.
type webhookParams struct {
	URL         string `json:"url"`
	SecretToken string `json:"secret_token"`
}

// SetWebhook points Zalo at url (https), with secret as the secret_token that comes
// back in every request's X-Bot-Api-Secret-Token ("" means DeriveWebhookSecret(token),
// as WebhookHandler assumes). Zalo requires both.
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	if url == "" {
		return errors.New("zalo setWebhook: no URL")
	}
	if secret == "" {
		secret = DeriveWebhookSecret(c.token)
	}
	_, err := c.call(ctx, "setWebhook", webhookParams{URL: url, SecretToken: secret}, c.callTimeout)
	return err
}

// DeleteWebhook removes the webhook, so that getUpdates works again.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	_, err := c.call(ctx, "deleteWebhook", struct{}{}, c.callTimeout)
	return err
}

// WebhookURL returns the webhook Zalo has now ("" when none), for diagnostics.
func (c *Client) WebhookURL(ctx context.Context) (string, error) {
	raw, err := c.call(ctx, "getWebhookInfo", struct{}{}, c.callTimeout)
	info, err := decode[struct {
		URL string `json:"url"`
	}]("getWebhookInfo", raw, err)
	return info.URL, err
}

// WebhookHandler receives Zalo's webhook requests and stores each update in the
// inbox, answering 200 as soon as it is stored; workers handle it afterwards
// (bot/inbox), so Zalo never waits for the bot ("" secret means
// DeriveWebhookSecret(token), never "no check"). A request without the right secret
// header gets 401 and is not read; other methods than POST get 405; a body over 1 MiB
// gets 413; one that is not an update's JSON, bare or in the envelope
// {"ok":true,"result":update}, gets 400 (and is logged). An update loa does not act on
// (another event) is answered 200 without being stored; one already stored (a
// redelivery) is answered 200 and left alone. When the inbox cannot store it the
// answer is 500, for Zalo to deliver it again. Requests may arrive concurrently.
func (c *Client) WebhookHandler(secret string, in botapi.Inbox) http.Handler {
	if secret == "" {
		secret = DeriveWebhookSecret(c.token)
	}
	guard := &botapi.WebhookGuard{Header: SecretHeader, Secret: secret, Log: c.log, Now: c.now}
	return botapi.WebhookHandler(guard, in, func(ctx context.Context, body []byte) ([]botapi.Inbound, error) {
		updates, err := updatesIn(body)
		if err != nil {
			return nil, err
		}
		malformed := 0
		var us []botapi.Inbound
		for _, raw := range updates {
			u, ok, err := c.inbound(ctx, raw)
			switch {
			case err != nil:
				malformed++ // logged by inbound
			case ok:
				us = append(us, u)
			}
		}
		if malformed > 0 && malformed == len(updates) {
			return nil, fmt.Errorf("all %d updates malformed", malformed)
		}
		return us, nil
	})
}
