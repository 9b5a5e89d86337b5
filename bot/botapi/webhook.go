package botapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
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

// ReadWebhook checks a webhook request and returns its body, or answers it and
// returns false. A request without secret in header gets 401 and is not read (the
// comparison takes constant time); other methods than POST get 405; a body over
// MaxUpdateBytes gets 413, one that cannot be read 400. Rejections are logged to log;
// decoding the body is the caller's.
func ReadWebhook(w http.ResponseWriter, r *http.Request, header, secret string, log *slog.Logger) ([]byte, bool) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(header)), []byte(secret)) != 1 {
		log.Warn("webhook request without the right secret", slog.String("remote_addr", r.RemoteAddr))
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
		log.Warn("webhook request too large", slog.Int64("limit_bytes", tooBig.Limit))
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	case err != nil:
		log.Warn("read webhook request", slog.String("error", err.Error()))
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}
