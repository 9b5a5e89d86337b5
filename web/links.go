package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"loa/chat"
	"loa/store"
)

// ErrNoPublicURL is returned when a sign-in link is asked for but LOA_PUBLIC_URL is not
// set: a link to localhost is useless on a phone.
var ErrNoPublicURL = errors.New("LOA_PUBLIC_URL is not set: set it to the address admins open in a browser, such as https://loa.example.vn")

// ErrNotAdmin is returned when a sign-in link is asked for a user who is not an admin.
var ErrNotAdmin = errors.New("not an admin")

// Links makes one-time sign-in links: for the bot's /web command and for
// `loa web link` (an admin's first sign-in).
type Links struct {
	Store     *store.Store
	PublicURL string
	IsAdmin   func(ctx context.Context, channel, userID string) (bool, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// SignInLink makes a link that signs the admin in once, within LinkLifetime. It refuses
// a user who is not an admin (ErrNotAdmin), and works only with a public URL
// (ErrNoPublicURL).
func (l *Links) SignInLink(ctx context.Context, channel, userID string) (string, error) {
	if l.PublicURL == "" {
		return "", ErrNoPublicURL
	}
	ok, err := l.IsAdmin(ctx, channel, userID)
	if err != nil {
		return "", fmt.Errorf("sign-in link: %w", err)
	}
	if !ok {
		return "", fmt.Errorf("sign-in link for %s:%s: %w", channel, userID, ErrNotAdmin)
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	token, hash := newSecret()
	if err := l.Store.CreateSignInLink(ctx, hash, store.WebIdentity{Channel: chat.Channel(channel), UserID: userID}, now, now.Add(LinkLifetime)); err != nil {
		return "", err
	}
	return l.PublicURL + "/dang-nhap/" + token, nil
}
