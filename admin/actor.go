package admin

import (
	"loa/store"
)

// Via is the front end an admin's action came through, as the audit log records it.
type Via = store.Via

// The front ends.
const (
	ViaCLI = store.ViaCLI
	ViaBot = store.ViaBot
	ViaWeb = store.ViaWeb
)

// ChannelCLI is the Channel of an Actor working in a shell: the operating system user.
const ChannelCLI = "cli"

// Actor is the admin acting, and the front end they act through.
type Actor struct {
	// Channel and UserID are the admin's identity: a messenger and their user id on it
	// ("telegram", "1001"), or ChannelCLI and the operating system user.
	Channel string
	UserID  string
	// Name is how to call them (a display name); not part of the identity.
	Name string
	Via  Via
}

// CLI is the actor of a command run in a shell by the operating system user user.
func CLI(user string) Actor {
	if user == "" {
		user = "unknown"
	}
	return Actor{Channel: ChannelCLI, UserID: user, Via: ViaCLI}
}

// String is the actor as the audit log names them, and the author of their drafts:
// "telegram:1001", "cli:alice".
func (a Actor) String() string { return a.Channel + ":" + a.UserID }

// audit is the actor as the store records them.
func (a Actor) audit() store.Actor { return store.Actor{ID: a.String(), Via: a.Via} }
