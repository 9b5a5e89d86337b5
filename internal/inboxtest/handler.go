package inboxtest

import (
	"context"
	"sync"

	"loa/bot"
)

// HandlerFunc adapts a function to inbox.Handler; a nil one answers nothing.
type HandlerFunc func(ctx context.Context, u bot.Update) bot.Response

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, u bot.Update) bot.Response {
	if f == nil {
		return bot.Response{}
	}
	return f(ctx, u)
}

// Recorder is an inbox.Handler that records the updates it gets, sends each on
// Got (buffered for 100) and answers with its answer function (nothing when nil).
type Recorder struct {
	// Got receives every update handled, in order.
	Got chan bot.Update

	answer  func(bot.Update) bot.Response
	mu      sync.Mutex
	updates []bot.Update
}

// NewRecorder returns a Recorder answering with answer.
func NewRecorder(answer func(bot.Update) bot.Response) *Recorder {
	return &Recorder{answer: answer, Got: make(chan bot.Update, 100)}
}

// Handle records u and answers it.
func (r *Recorder) Handle(_ context.Context, u bot.Update) bot.Response {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	r.mu.Unlock()
	r.Got <- u
	if r.answer == nil {
		return bot.Response{}
	}
	return r.answer(u)
}

// Updates returns the updates handled so far, in order.
func (r *Recorder) Updates() []bot.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Update(nil), r.updates...)
}
