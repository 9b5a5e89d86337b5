package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

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
	if err := l.Store.CreateSignInLink(ctx, hash, store.WebIdentity{Channel: channel, UserID: userID}, now, now.Add(LinkLifetime)); err != nil {
		return "", err
	}
	return l.PublicURL + "/dang-nhap/" + token, nil
}

// Invite codes. An admin makes one in the console and hands it to the new admin, who
// sends it to the bot in a private chat. InviteLifetime bounds how long it waits.
const InviteLifetime = 7 * 24 * time.Hour

// inviteAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const inviteAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// invitePrefix starts every code, so the bot can tell one from a chat message.
const invitePrefix = "LOA-"

// newInviteCode returns a code such as LOA-7KQ3M-X9P2D: 10 symbols of 31, about 49 bits,
// single use and short-lived.
func newInviteCode() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	var sb strings.Builder
	sb.WriteString(invitePrefix)
	for i, x := range b {
		if i == 5 {
			sb.WriteByte('-')
		}
		sb.WriteByte(inviteAlphabet[int(x)%len(inviteAlphabet)])
	}
	return sb.String()
}

// NormalizeInviteCode returns the code's canonical form (upper case, the dashes where
// newInviteCode puts them, spaces dropped) and whether text looks like an invite code
// at all: LOA- and ten letters or digits of the alphabet.
func NormalizeInviteCode(text string) (string, bool) {
	s := strings.ToUpper(strings.Join(strings.Fields(text), ""))
	s = strings.ReplaceAll(s, "-", "")
	rest, ok := strings.CutPrefix(s, "LOA")
	if !ok || len(rest) != 10 {
		return "", false
	}
	for _, r := range rest {
		if !strings.ContainsRune(inviteAlphabet, r) {
			return "", false
		}
	}
	return invitePrefix + rest[:5] + "-" + rest[5:], true
}

// CreateInvite makes an invite code for a new admin to be called name, audited under
// actor. The code is shown once; only its hash is kept.
//
// It moves to the admin operations layer (package admin) once that exists.
func CreateInvite(ctx context.Context, st *store.Store, actor, name string, now time.Time) (string, store.Invite, error) {
	code := newInviteCode()
	inv, err := st.CreateInvite(ctx, hashSecret(code), store.Invite{CreatedBy: actor, Name: strings.TrimSpace(name),
		CreatedAt: now, ExpiresAt: now.Add(InviteLifetime)}, actor)
	return code, inv, err
}

// RedeemInvite makes the sender of a valid invite code an admin (audited as theirs).
// A code that is unknown, used or expired gives store.ErrInviteInvalid; an admin
// already, store.ErrAdminExists (the code stays usable). name is the sender's name on
// the messenger, used when the invite named nobody.
//
// It moves to the admin operations layer (package admin) once that exists.
func RedeemInvite(ctx context.Context, st *store.Store, channel, userID, name, code string, now time.Time) (store.Admin, error) {
	canon, ok := NormalizeInviteCode(code)
	if !ok {
		return store.Admin{}, store.ErrInviteInvalid
	}
	return st.RedeemInvite(ctx, hashSecret(canon), store.Admin{Channel: channel, UserID: userID, Name: name}, now)
}
