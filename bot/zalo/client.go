// Package zalo is loa's Zalo Bot Platform adapter: it sends broadcasts
// (broadcast.Sender), receives updates by long polling or webhook, turns them into
// bot.Update for the bot package and carries out its bot.Response.
//
// The Bot API (bot-api.zaloplatforms.com) is modelled on Telegram's: POST
// {base}/bot{token}/{method} with a JSON body, answered {ok, result, error_code,
// description}. It differs where it matters here: ids are strings, dates are
// milliseconds, getUpdates hands out one update per call with no offsets, texts are
// plain and at most 2000 characters, there are no inline keyboards, and 403 means an
// internal error on Zalo's side, not a refusal. The platform documents little beyond
// its methods and error codes; where this package has to assume, the comment says so.
package zalo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"loa/bot"
	"loa/bot/botapi"
	"loa/chat"
)

// DefaultAPIBase is the Zalo Bot Platform's API.
const DefaultAPIBase = "https://bot-api.zaloplatforms.com"

// maxResponseBytes caps a Bot API answer: one update, or a send's receipt.
const maxResponseBytes = 1 << 20

// Options configures a Client; config.Zalo supplies Token and APIBase.
type Options struct {
	// Token is the bot token from Zalo Bot Creator (secret: it never appears in errors
	// or logs).
	Token string
	// APIBase is the API's base URL without a trailing slash; "" means DefaultAPIBase.
	APIBase string
	botapi.Options
	// Alert, when set, tells the admins about something only they can fix (app wires
	// it to its alerts); key makes an alert once. nil: logged only.
	Alert func(ctx context.Context, key, text string)
	// WebhookCheckEvery is how often Poll asks getWebhookInfo whether a webhook was
	// set meanwhile (Zalo may just serve nothing then, without a 409); default
	// DefaultWebhookCheckEvery.
	WebhookCheckEvery time.Duration
}

// DefaultWebhookCheckEvery: while polling, a webhook set by someone else is noticed
// within five minutes, at the cost of one cheap call.
const DefaultWebhookCheckEvery = 5 * time.Minute

// The keys of the adapter's alerts.
const (
	// alertNoChatType: an update without chat_type was ignored.
	alertNoChatType = "zalo:no-chat-type"
	// alertWebhookSet prefixes the webhook URL found set while polling.
	alertWebhookSet = "zalo:webhook-set-while-polling:"
)

// Client talks to the Zalo Bot API for one bot token. It is safe for concurrent use.
type Client struct {
	token string
	base  string
	hc    *http.Client
	log   *slog.Logger
	now   func() time.Time
	// callTimeout and pollTimeout are fields so tests can shorten them.
	callTimeout, pollTimeout time.Duration
	// sleep waits for d or until ctx ends; tests replace it to advance a fake clock.
	sleep func(ctx context.Context, d time.Duration) error
	pace  *botapi.Pacer
	alert func(ctx context.Context, key, text string)
	// webhookCheck is Options.WebhookCheckEvery or its default.
	webhookCheck time.Duration
	// noChatTypeAlerted: the alert about updates without chat_type was raised.
	noChatTypeAlerted atomic.Bool
}

// alertOnce raises the alert key once for this client (done records it); the key
// makes it once across replicas too. A failing alert is logged by the alerter.
func (c *Client) alertOnce(ctx context.Context, done *atomic.Bool, key, text string) {
	if c.alert == nil || !done.CompareAndSwap(false, true) {
		return
	}
	c.alert(ctx, key, text)
}

// New returns a Client. It makes no call, so the service starts while Zalo is
// unreachable.
func New(opts Options) (*Client, error) {
	if opts.Token == "" {
		return nil, errors.New("zalo: no bot token")
	}
	if strings.ContainsAny(opts.Token, "/?# \t\r\n") {
		return nil, errors.New("zalo: the bot token has characters no token has ('/', '?', '#' or spaces)")
	}
	base := strings.TrimRight(opts.APIBase, "/")
	if base == "" {
		base = DefaultAPIBase
	}
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		return nil, fmt.Errorf("zalo: API base %q: want an http(s) URL such as %s", base, DefaultAPIBase)
	}
	o := opts.WithDefaults()
	return &Client{
		now:          o.Now,
		token:        opts.Token,
		base:         base,
		hc:           o.HTTPClient,
		log:          o.Log,
		callTimeout:  botapi.CallTimeout,
		pollTimeout:  botapi.PollTimeout,
		sleep:        botapi.Sleep,
		pace:         newPacer(time.Now, opts.Replies),
		alert:        opts.Alert,
		webhookCheck: cmp.Or(opts.WebhookCheckEvery, DefaultWebhookCheckEvery),
	}, nil
}

// envelope is a Bot API answer. error_code is also read as errorCode, and a number
// sent as a string is accepted: the platform's samples are not consistent.
type envelope struct {
	OK             *bool           `json:"ok"`
	Result         json.RawMessage `json:"result"`
	ErrorCode      flexInt         `json:"error_code"`
	ErrorCodeCamel flexInt         `json:"errorCode"`
	Description    string          `json:"description"`
	// Parameters.RetryAfter is not documented by Zalo; it is read when present, as
	// Telegram sends it.
	Parameters *struct {
		RetryAfter flexInt `json:"retry_after"`
	} `json:"parameters"`
}

// call makes one Bot API call within timeout and returns its result. A failure is an
// *Error whose text never contains the token.
func (c *Client) call(ctx context.Context, method string, params any, timeout time.Duration) (json.RawMessage, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, &Error{Channel: chat.Zalo, Method: method, Err: fmt.Errorf("encode parameters: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Channel: chat.Zalo, Method: method, Err: botapi.Redact(err, c.token)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		e := &Error{Channel: chat.Zalo, Method: method, Err: botapi.Redact(err, c.token)}
		e.Interrupted(ctx, err)
		return nil, e
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		e := &Error{Channel: chat.Zalo, Method: method, HTTPStatus: resp.StatusCode, Err: botapi.Redact(fmt.Errorf("read answer: %w", err), c.token)}
		e.Interrupted(ctx, err)
		return nil, e
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || (env.OK == nil && env.ErrorCode == 0 && env.ErrorCodeCamel == 0) {
		// A proxy's HTML page, an empty body, JSON that is no Bot API answer.
		return nil, &Error{Channel: chat.Zalo, Method: method, HTTPStatus: resp.StatusCode,
			Err: fmt.Errorf("not a Bot API answer (%d bytes of %s)", len(raw), contentType(resp))}
	}
	if env.OK != nil && *env.OK {
		return env.Result, nil
	}
	// ok:false, with HTTP 200 as well as with an error status.
	e := &Error{Channel: chat.Zalo, Method: method, HTTPStatus: resp.StatusCode, Code: int(env.ErrorCode), Description: botapi.Scrub(env.Description, c.token)}
	if e.Code == 0 {
		e.Code = int(env.ErrorCodeCamel)
	}
	if e.Code == 0 && resp.StatusCode >= 400 {
		e.Code = resp.StatusCode
	}
	if env.Parameters != nil && env.Parameters.RetryAfter > 0 {
		e.RetryAfter = time.Duration(env.Parameters.RetryAfter) * time.Second
	}
	return nil, e
}

// decode unmarshals a call's result (see botapi.Decode).
func decode[T any](method string, raw json.RawMessage, err error) (T, error) {
	return botapi.Decode[T](chat.Zalo, method, raw, err)
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no content type"
}

// botInfo is getMe's result. The platform documents account_name; display_name and
// name are read too.
type botInfo struct {
	ID          flexString `json:"id"`
	AccountName string     `json:"account_name"`
	DisplayName string     `json:"display_name"`
	Name        string     `json:"name"`
}

// Capabilities are what Zalo chats can do for the bot: no inline keyboards and no
// command menu, so members type words ("đăng ký", "bật 2") and admins type their
// confirmations; in groups the bot sees only messages that mention it.
func (c *Client) Capabilities() bot.Capabilities {
	return bot.Capabilities{MentionFirst: true}
}

// GetMe returns the bot's name (its account_name, else its display name); it also
// proves the token works.
func (c *Client) GetMe(ctx context.Context) (name string, err error) {
	raw, err := c.call(ctx, "getMe", struct{}{}, c.callTimeout)
	me, err := decode[botInfo]("getMe", raw, err)
	if err != nil {
		return "", err
	}
	for _, n := range []string{me.AccountName, me.DisplayName, me.Name} {
		if n != "" {
			return n, nil
		}
	}
	return string(me.ID), nil
}

// flexString is an id: a JSON string, or a number kept as its digits.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*s = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id: want a string or a number, got %.20s", b)
	}
	*s = flexString(n.String())
	return nil
}

// flexInt is a whole number sent as a JSON number or as a string; anything else reads
// as 0 rather than failing the whole answer.
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			*n = 0
			return nil
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}
