// Package telegram is loa's Telegram adapter: it sends broadcasts (broadcast.Sender),
// receives updates by long polling or webhook, turns them into bot.Update for the bot
// package and carries out its bot.Response. The wire is go-telegram-bot-api/v5's
// MakeRequest; everything newer than its Bot API 5.5 (message_thread_id,
// link_preview_options, secret_token, ...) goes through MakeRequest's parameters.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"loa/bot"
	"loa/bot/botapi"
	"loa/chat"
)

// DefaultAPIEndpoint is Telegram's Bot API in the library's format: %s for the token,
// then %s for the method.
const DefaultAPIEndpoint = tgbotapi.APIEndpoint

// maxResponseBytes caps a Bot API answer (100 updates of a few KiB each fit easily).
const maxResponseBytes = 16 << 20

// Options configures a Client; config.Telegram supplies Token and APIEndpoint.
type Options struct {
	// Token is the bot token (secret: it never appears in errors or logs).
	Token string
	// APIEndpoint is the Bot API URL pattern in go-telegram-bot-api's format, with %s
	// for the token and then %s for the method; "" means DefaultAPIEndpoint.
	APIEndpoint string
	botapi.Options
}

// Client talks to the Telegram Bot API for one bot token. It is safe for concurrent
// use.
type Client struct {
	token    string
	endpoint string
	hc       *http.Client
	log      *slog.Logger
	now      func() time.Time
	// callTimeout bounds one call (a field so tests can shorten it).
	callTimeout time.Duration
	// sleep waits for d or until ctx ends; tests replace it to advance a fake clock.
	sleep func(ctx context.Context, d time.Duration) error
	pace  *botapi.Pacer
}

// New returns a Client. Unlike tgbotapi.NewBotAPIWithClient it makes no call, so the
// service starts while Telegram is unreachable.
func New(opts Options) (*Client, error) {
	if opts.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if opts.APIEndpoint == "" {
		opts.APIEndpoint = DefaultAPIEndpoint
	}
	if strings.Count(opts.APIEndpoint, "%s") != 2 {
		return nil, fmt.Errorf("telegram: API endpoint %q: want %%s for the token and %%s for the method", opts.APIEndpoint)
	}
	o := opts.WithDefaults()
	c := &Client{
		token:       opts.Token,
		endpoint:    opts.APIEndpoint,
		hc:          o.HTTPClient,
		log:         o.Log,
		callTimeout: botapi.CallTimeout,
		sleep:       botapi.Sleep,
		now:         o.Now,
	}
	c.pace = newPacer(time.Now)
	c.pace.Shared = opts.Replies
	return c, nil
}

// ctxDoer is the library's HTTPClient for one call: MakeRequest builds its request
// without a context, so the call's context is attached here. It also remembers the
// HTTP status, which the library drops when the body is not a Bot API answer.
type ctxDoer struct {
	ctx    context.Context
	hc     *http.Client
	status int
}

func (d *ctxDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req.WithContext(d.ctx))
	if err != nil {
		return nil, err
	}
	d.status = resp.StatusCode
	resp.Body = limitedBody{io.LimitReader(resp.Body, maxResponseBytes), resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// call makes one Bot API call within timeout and returns its result. A failure is an
// *Error whose text never contains the token.
func (c *Client) call(ctx context.Context, method string, params tgbotapi.Params, timeout time.Duration) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := &ctxDoer{ctx: ctx, hc: c.hc}
	// A BotAPI per call: cheap (a few fields), and it carries this call's context.
	api := tgbotapi.BotAPI{Token: c.token, Client: d}
	api.SetAPIEndpoint(c.endpoint)
	resp, err := api.MakeRequest(method, params)
	if err == nil {
		return resp.Result, nil
	}
	e := &Error{Channel: chat.Telegram, Method: method, HTTPStatus: d.status}
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		e.Code, e.Description = apiErr.Code, apiErr.Message
		if e.Code == 0 {
			e.Code = d.status
		}
		e.RetryAfter = time.Duration(apiErr.RetryAfter) * time.Second
		e.MigrateTo = apiErr.MigrateToChatID
		return nil, e
	}
	if d.status != 0 && d.status != http.StatusOK {
		err = fmt.Errorf("not a Bot API answer: %w", err)
	}
	e.Err = botapi.Redact(err, c.token)
	e.Interrupted(ctx, err)
	return nil, e
}

// decode unmarshals a call's result (see botapi.Decode).
func decode[T any](method string, raw json.RawMessage, err error) (T, error) {
	return botapi.Decode[T](chat.Telegram, method, raw, err)
}

// Capabilities are what Telegram chats can do for the bot: inline buttons (topic
// keyboards, draft buttons) and a slash-command menu (SetCommands), so commands are
// named and read as /start. In groups the bot receives commands without being
// mentioned (privacy mode lets commands through), so nothing is stripped.
func (c *Client) Capabilities() bot.Capabilities {
	return bot.Capabilities{Buttons: true, CommandMenu: true}
}

// GetMe returns the bot's @username (without the @); it also proves the token works.
func (c *Client) GetMe(ctx context.Context) (username string, err error) {
	raw, err := c.call(ctx, "getMe", nil, c.callTimeout)
	me, err := decode[tgUser]("getMe", raw, err)
	if err != nil {
		return "", err
	}
	return me.Username, nil
}

// SetCommands sets the bot's command menu for every chat (default scope, every
// language): names without the slash, descriptions as the members will read them.
func (c *Client) SetCommands(ctx context.Context, cmds []bot.Command) error {
	type command struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	list := make([]command, 0, len(cmds))
	for _, cmd := range cmds {
		list = append(list, command{Command: strings.TrimPrefix(cmd.Name, "/"), Description: cmd.Description})
	}
	p := tgbotapi.Params{}
	if err := p.AddInterface("commands", list); err != nil {
		return fmt.Errorf("telegram setMyCommands: %w", err)
	}
	_, err := c.call(ctx, "setMyCommands", p, c.callTimeout)
	return err
}

// deleteWebhook removes a webhook, keeping the updates it did not deliver.
func (c *Client) deleteWebhook(ctx context.Context) error {
	_, err := c.call(ctx, "deleteWebhook", tgbotapi.Params{"drop_pending_updates": "false"}, c.callTimeout)
	return err
}
