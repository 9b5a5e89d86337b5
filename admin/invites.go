package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"loa/chat"
	"loa/store"
)

// Invites (issue 11): an admin makes a one-time code in the web console and hands it
// to a new admin, who sends it to the bot in a private chat and becomes an admin, with
// no numeric id to look up. Only the code's hash is kept.

// InviteLifetime bounds how long an invite code waits to be used.
const InviteLifetime = 7 * 24 * time.Hour

// MaxInviteName bounds an admin's name, given by an invite or with AddAdmin.
const MaxInviteName = 64

// inviteAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const inviteAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// invitePrefix starts every code, so the bot tells one from a chat message.
const invitePrefix = "LOA-"

// ErrInviteInvalid: an invite code unknown, used or expired.
var ErrInviteInvalid = store.ErrInviteInvalid

// ErrAlreadyAdmin: an invite redeemed by someone who is an admin already (the code stays
// usable).
var ErrAlreadyAdmin = store.ErrAdminExists

// newInviteCode returns a code such as LOA-7KQ3M-X9P2D: 10 symbols of 31, about 49 bits,
// single use and short-lived.
func newInviteCode() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
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

// NormalizeInviteCode returns a code's canonical form and whether text is one at all:
// LOA and ten symbols of the alphabet, case, spaces and dashes forgiven. The bot asks it
// of private messages from non-admins.
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

func hashCode(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// CreateInvite makes an invite code for a new admin to be called name (optional). The
// code is returned once; the store keeps its hash.
func (o *Ops) CreateInvite(ctx context.Context, a Actor, name string) (string, store.Invite, error) {
	name, err := checkAdminName(name)
	if err != nil {
		return "", store.Invite{}, err
	}
	now := o.now()
	code := newInviteCode()
	inv, err := o.as(a).CreateInvite(ctx, hashCode(code), store.Invite{Name: name, CreatedAt: now, ExpiresAt: now.Add(InviteLifetime)})
	return code, inv, err
}

// RedeemInvite makes a, who sent code to the bot, an admin (audited as theirs). a.Name
// is their name on the messenger, used when the invite named nobody.
func (o *Ops) RedeemInvite(ctx context.Context, a Actor, code string) (store.Admin, error) {
	canon, ok := NormalizeInviteCode(code)
	if !ok {
		return store.Admin{}, &ObjectError{Object: ObjInvite, Err: ErrInviteInvalid}
	}
	ad, err := o.as(a).RedeemInvite(ctx, hashCode(canon), store.Admin{Channel: chat.Channel(a.Channel), UserID: a.UserID, Name: a.Name}, o.now())
	switch {
	case errors.Is(err, ErrInviteInvalid):
		return store.Admin{}, &ObjectError{Object: ObjInvite, Err: ErrInviteInvalid}
	case errors.Is(err, ErrAlreadyAdmin):
		return store.Admin{}, &ObjectError{Object: ObjAdmin, Name: a.String(), Err: ErrAlreadyAdmin}
	}
	return ad, err
}

// checkAdminName trims an admin's name and bounds it (MaxInviteName).
func checkAdminName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n > MaxInviteName {
		return "", &FieldError{Field: FieldInviteName, Code: CodeTooLong, N: n, Limit: MaxInviteName}
	}
	return name, nil
}
