package botapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// MaxUpdateBytes caps a webhook request body; real updates are a few KiB.
const MaxUpdateBytes = 1 << 20

// DeriveSecret derives a webhook secret from the bot token: the hex HMAC-SHA256 of
// label keyed by the token. Every replica computes the same value without
// configuration, and it reveals nothing of the token. It has 64 characters from
// [0-9a-f], which both Telegram's and Zalo's secret_token accept. Each adapter signs a
// label of its own, so one token never gives two messengers the same secret.
func DeriveSecret(label, token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(label))
	return hex.EncodeToString(m.Sum(nil))
}

// DefaultRefusalLogEvery is how often, at most, WebhookGuard logs refused requests.
const DefaultRefusalLogEvery = time.Minute

// WebhookGuard checks the webhook requests of one adapter: the secret, the method and
// the size. Refused requests are logged at most once per LogEvery, each line with how
// many were refused since the last one: the secret is the only proof of who sent an
// update, so a wrong one is worth a line, but a flood of guesses must not flood the
// log. It is safe for concurrent use; the zero value of the optional fields is usable.
type WebhookGuard struct {
	// Header carries the secret; Secret is its value.
	Header, Secret string
	// Log receives the refusals (nil: discarded).
	Log *slog.Logger
	// Now is the clock of the refusal log (nil: time.Now).
	Now func() time.Time
	// LogEvery is the least time between two refusal lines (0: DefaultRefusalLogEvery).
	LogEvery time.Duration

	mu      sync.Mutex
	logged  time.Time // when the last refusal line was written
	refused int       // refusals since then, not yet logged
}

// Read checks a webhook request and returns its body, or answers it and returns false.
// A request without the secret in the header gets 401 and is not read (the comparison
// takes constant time); other methods than POST get 405; a body over MaxUpdateBytes
// gets 413, one that cannot be read 400. Decoding the body is the caller's.
func (g *WebhookGuard) Read(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(g.Header)), []byte(g.Secret)) != 1 {
		g.refuse(r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUpdateBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		g.log().Warn("webhook request too large", slog.Int64("limit_bytes", tooBig.Limit))
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	case err != nil:
		g.log().Warn("read webhook request", slog.String("error", err.Error()))
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// refuse counts a refused request and logs the count when the last line is old
// enough. The first refusal is logged at once; the ones within the next LogEvery are
// counted into the line after it.
func (g *WebhookGuard) refuse(remoteAddr string) {
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	every := g.LogEvery
	if every <= 0 {
		every = DefaultRefusalLogEvery
	}
	t := now()
	g.mu.Lock()
	g.refused++
	n := g.refused
	due := g.logged.IsZero() || !t.Before(g.logged.Add(every))
	if due {
		g.logged, g.refused = t, 0
	}
	g.mu.Unlock()
	if due {
		g.log().Warn("webhook requests without the right secret", slog.Int("refused", n),
			slog.String("last_remote_addr", remoteAddr), slog.Duration("log_every", every))
	}
}

func (g *WebhookGuard) log() *slog.Logger {
	if g.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return g.Log
}

// WebhookHandler stores the updates of each webhook request in the inbox and answers
// 200 once they are stored, so the messenger never waits for the bot; workers handle
// them afterwards (bot/inbox). The guard checks the request first (see Read). parse
// turns the body into the updates to store (none: an update loa does not act on,
// answered 200); an error means the request is malformed: it is logged and answered
// 400. When the inbox cannot store the updates the answer is 500 and the messenger
// delivers the request again: an update is never acknowledged before it is durable.
// Requests may arrive concurrently.
func WebhookHandler(g *WebhookGuard, in Inbox, parse func(ctx context.Context, body []byte) ([]Inbound, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := g.Read(w, r)
		if !ok {
			return
		}
		us, err := parse(r.Context(), body)
		if err != nil {
			g.log().Warn("malformed webhook request", slog.String("error", err.Error()), slog.Int("bytes", len(body)))
			http.Error(w, "malformed update", http.StatusBadRequest)
			return
		}
		if len(us) > 0 {
			if err := in.Add(r.Context(), us); err != nil {
				g.log().Error("store webhook update: refused, the messenger will deliver it again", slog.String("error", err.Error()))
				http.Error(w, "update not stored", http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}
