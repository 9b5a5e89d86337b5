package botapi

import (
	"log/slog"
	"net/http"
	"time"
)

// The timeouts of a Bot API call, the same on both messengers.
const (
	// CallTimeout bounds one call other than a long poll.
	CallTimeout = 30 * time.Second
	// PollTimeout is getUpdates' long-poll timeout (Zalo's default is 30 s); the call
	// itself gets PollTimeout+PollGrace before it is abandoned.
	PollTimeout = 25 * time.Second
	PollGrace   = 15 * time.Second
)

// Options is what configures an adapter's client besides its token and API address
// (each adapter's Options embeds it).
type Options struct {
	// HTTPClient makes the calls; nil means a client of our own with dial, TLS and
	// overall timeouts (see NewHTTPClient). Every call also gets its own context
	// deadline.
	HTTPClient *http.Client
	// Log receives what happened; nil discards it.
	Log *slog.Logger
	// Now is the clock of the webhook's refusal log; nil means time.Now.
	Now func() time.Time
	// Replies, when set, is the channel's send rate shared with broadcasts: each reply
	// takes a slot of it, and a 429 on a reply pauses the channel (app sets it).
	Replies SharedRate
}

// WithDefaults fills what o leaves out: an HTTP client whose backstop timeout is
// above the longest call (a long poll), a log that discards, the system clock.
func (o Options) WithDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = NewHTTPClient(PollTimeout + PollGrace + 10*time.Second)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
