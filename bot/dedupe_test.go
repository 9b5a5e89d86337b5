package bot

import (
	"strings"
	"testing"
)

// An update delivered twice (a webhook retried, a poll taken over by a new leader) is
// answered once, whichever replica sees it the second time.
func TestUpdateDeliveredTwiceIsHandledOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := msg(privateChat, member, "/start")
	u.ID = "1001"
	if r := e.handle(u); len(r.Replies) != 1 {
		t.Fatalf("first delivery: %+v", r)
	}
	other := newEnvOn(t, e.store) // another replica on the same database
	if r := other.handle(u); len(r.Replies) != 0 || r.Edit != nil || r.CallbackText != "" {
		t.Fatalf("second delivery answered: %+v", r)
	}
	// The same id on another channel is another update.
	z := msg(privateChat, member, "/help")
	z.Channel, z.ID = "zalo", "1001"
	if r := e.handle(z); len(r.Replies) != 1 || !strings.Contains(text(t, r), "/") {
		t.Fatalf("zalo update with the same id: %+v", r)
	}
	// Updates without an id (as some tests and adapters send) are always handled.
	if r := e.handle(msg(privateChat, member, "/help")); len(r.Replies) != 1 {
		t.Fatalf("update without id: %+v", r)
	}
}
