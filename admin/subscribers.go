package admin

import (
	"context"

	"loa/store"
)

// Resumed is a subscriber whose pause an admin lifted.
type Resumed struct {
	store.Subscriber
	// WasPaused is false when it was not paused: nothing changed (still audited).
	WasPaused bool
}

// ResumeSubscriber lifts the pause of subscriber id (the bot lost its right to post
// there and the admin says it is back): its waiting deliveries go out. Audited
// ("subscriber.resume") with the front end. An unknown id is an *ObjectError on
// ObjSubscriber wrapping ErrNotFound.
func (o *Ops) ResumeSubscriber(ctx context.Context, a Actor, id int64) (Resumed, error) {
	sub, was, err := o.as(a).ResumeSubscriber(ctx, id)
	if err != nil {
		return Resumed{}, objectErr(ObjSubscriber, id, err)
	}
	return Resumed{Subscriber: sub, WasPaused: was}, nil
}
