package apitest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options are the settings every fake takes; each fake's own Options embeds
// them beside the settings of its platform.
type Options struct {
	// Token is the only accepted bot token; default the fake's DefaultToken.
	Token string
	// Now is the clock for dates, rate limits and records; default time.Now.
	Now func() time.Time
	// Unthrottled turns every rate limit off (for benchmarks).
	Unthrottled bool
	// WebhookClient posts updates to the webhook; default a client with a
	// 10 s timeout.
	WebhookClient *http.Client
}

// Defaults fills what is unset: token is the fake's default token.
func (o *Options) Defaults(token string) {
	if o.Token == "" {
		o.Token = token
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
}

// Apply returns the options opts set, starting from the zero value.
func Apply[O any, F ~func(*O)](opts []F) O {
	var o O
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Handler answers one Bot API method, with the request's parameters read.
type Handler func(w http.ResponseWriter, r *http.Request, p Params)

// Step is how the request pipeline treats a scripted reply: hold it at Gate
// (when set), then answer it as a failure when Fails, after the method has
// accepted the message when Deliver.
type Step struct {
	Gate    *Gate
	Fails   bool
	Deliver bool
}

// Envelope is what a fake supplies to its Core: its wire format.
type Envelope[R any] interface {
	// WriteError answers an error in the platform's envelope and counts it
	// (Core.CountError).
	WriteError(w http.ResponseWriter, code int, description string)
	// Fail answers a scripted failure.
	Fail(w http.ResponseWriter, r R)
	// ReadParams reads a request's parameters the way the platform does.
	ReadParams(r *http.Request) (Params, error)
	// Step tells the pipeline what a scripted reply asks of it.
	Step(r R) Step
}

// Core is the machinery of a fake Bot API server: its HTTP server, the
// request pipeline (path /bot<TOKEN>/<method>, token, method table,
// parameters, per-method scripts, gates), what it records (calls, errors,
// messages per chat), the scripts per chat, long polls and webhook delivery.
// K is a chat's id, M a recorded message, R a scripted reply. The fake keeps
// the *Core in an unexported field, embeds the Base that Core.Base returns
// for its public API, and guards its own state with the Core's lock, so that
// what it records and its own state change together.
type Core[K comparable, M any, R any] struct {
	name    string // the fake's package name, for errors and panics
	token   string
	fold    func(string) string
	env     Envelope[R]
	srv     HTTPServer
	methods map[string]method

	mu            sync.Mutex
	changed       Changes
	calls         map[string]int
	errs          map[int]int
	chatScripts   map[K][]R
	methodScripts map[string][]R
	sent          map[K][]M
	all           []M
	waiting       int // long polls waiting
	expire        chan struct{}
}

type method struct {
	name string
	fn   Handler
}

// Config describes a fake to NewCore.
type Config[R any] struct {
	// Name is the fake's package name ("telegramtest"), used in errors.
	Name string
	// Token is the accepted bot token.
	Token string
	// FoldCase matches method names case-insensitively, as Telegram does;
	// otherwise they must match exactly.
	FoldCase bool
	// Envelope is the fake's wire format.
	Envelope Envelope[R]
}

// NewCore returns a core; the fake adds its methods with Handle and then
// calls Start.
func NewCore[K comparable, M any, R any](cfg Config[R]) *Core[K, M, R] {
	fold := func(s string) string { return s }
	if cfg.FoldCase {
		fold = strings.ToLower
	}
	return &Core[K, M, R]{
		name: cfg.Name, token: cfg.Token, fold: fold, env: cfg.Envelope,
		methods:       make(map[string]method),
		calls:         make(map[string]int),
		errs:          make(map[int]int),
		chatScripts:   make(map[K][]R),
		methodScripts: make(map[string][]R),
		sent:          make(map[K][]M),
		expire:        make(chan struct{}),
	}
}

// Handle adds a method under its Bot API name.
func (c *Core[K, M, R]) Handle(name string, h Handler) {
	c.methods[c.fold(name)] = method{name: name, fn: h}
}

// Start serves h (the fake, whose ServeHTTP usually calls Serve) and runs
// loops (webhook delivery) until Close.
func (c *Core[K, M, R]) Start(h http.Handler, loops ...func()) {
	c.srv.Start(h)
	for _, l := range loops {
		c.srv.Go(l)
	}
}

// Launch registers the fake's methods by name, then starts it as Start does.
func (c *Core[K, M, R]) Launch(h http.Handler, methods map[string]Handler, loops ...func()) {
	for name, fn := range methods {
		c.Handle(name, fn)
	}
	c.Start(h, loops...)
}

// Base is the public API the fake embeds.
func (c *Core[K, M, R]) Base() Base[K, M, R] { return Base[K, M, R]{c: c} }

// Lock locks the fake's state.
func (c *Core[K, M, R]) Lock() { c.mu.Lock() }

// Unlock unlocks the fake's state.
func (c *Core[K, M, R]) Unlock() { c.mu.Unlock() }

// NotifyLocked tells waiters that the state changed; the lock is held.
func (c *Core[K, M, R]) NotifyLocked() { c.changed.Notify() }

// Done is closed when the server closes.
func (c *Core[K, M, R]) Done() <-chan struct{} { return c.srv.Done() }

// Route checks the path, the token and the method name, counts the call and
// returns the method's canonical name and handler; otherwise it answers 404
// or 401 and ok is false.
func (c *Core[K, M, R]) Route(w http.ResponseWriter, r *http.Request) (name string, h Handler, ok bool) {
	rest, ok1 := strings.CutPrefix(r.URL.Path, "/bot")
	token, meth, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 {
		c.env.WriteError(w, http.StatusNotFound, "Not Found")
		return "", nil, false
	}
	if token != c.token {
		c.env.WriteError(w, http.StatusUnauthorized, "Unauthorized")
		return "", nil, false
	}
	m, found := c.methods[c.fold(meth)]
	if !found {
		c.env.WriteError(w, http.StatusNotFound, "Not Found")
		return "", nil, false
	}
	c.mu.Lock()
	c.calls[m.name]++
	c.changed.Notify()
	c.mu.Unlock()
	return m.name, m.fn, true
}

// Serve runs a routed call: it reads the parameters (400 when they cannot be
// parsed), takes the method's next scripted reply (holding it at its gate,
// answering its failure) and otherwise runs the method.
func (c *Core[K, M, R]) Serve(w http.ResponseWriter, r *http.Request, name string, h Handler) {
	p, err := c.env.ReadParams(r)
	if err != nil {
		c.env.WriteError(w, http.StatusBadRequest, "Bad Request: can't parse request parameters")
		return
	}
	c.mu.Lock()
	reply, scripted := pop(c.methodScripts, name)
	c.mu.Unlock()
	if scripted && !c.Play(w, r, reply) {
		return
	}
	h(w, r, p)
}

// ServeHTTP is the whole pipeline, for a fake with nothing to add to it.
func (c *Core[K, M, R]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if name, h, ok := c.Route(w, r); ok {
		c.Serve(w, r, name, h)
	}
}

// Play holds a scripted reply at its gate and answers its failure unless it
// is to be delivered first. It reports whether the call goes on: false when it
// was answered, or when its client went away or the server closed while held.
func (c *Core[K, M, R]) Play(w http.ResponseWriter, r *http.Request, reply R) bool {
	st := c.env.Step(reply)
	if st.Gate != nil && !st.Gate.Hold(r.Context(), c.srv.Done()) {
		return false
	}
	if st.Fails && !st.Deliver {
		c.env.Fail(w, reply)
		return false
	}
	return true
}

// Delivered answers, once the method accepted the message, the failure of a
// reply scripted with Deliver, and reports whether it did.
func (c *Core[K, M, R]) Delivered(w http.ResponseWriter, reply R, scripted bool) bool {
	if !scripted {
		return false
	}
	if st := c.env.Step(reply); st.Fails && st.Deliver {
		c.env.Fail(w, reply)
		return true
	}
	return false
}

// PopScriptLocked takes the next reply scripted for chat.
func (c *Core[K, M, R]) PopScriptLocked(chat K) (R, bool) { return pop(c.chatScripts, chat) }

func pop[Q comparable, R any](m map[Q][]R, k Q) (R, bool) {
	q := m[k]
	if len(q) == 0 {
		var zero R
		return zero, false
	}
	m[k] = q[1:]
	return q[0], true
}

// CountError counts an error answer with code.
func (c *Core[K, M, R]) CountError(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs[code]++
	c.changed.Notify()
}

// RecordLocked records a message chat accepted.
func (c *Core[K, M, R]) RecordLocked(chat K, m M) {
	c.sent[chat] = append(c.sent[chat], m)
	c.all = append(c.all, m)
	c.changed.Notify()
}

// SentLocked is what chat received, the recorded slice itself: a fake may
// change a message in place (an edit), and then in AllLocked too.
func (c *Core[K, M, R]) SentLocked(chat K) []M { return c.sent[chat] }

// AllLocked is every recorded message, the slice itself.
func (c *Core[K, M, R]) AllLocked() []M { return c.all }

// PostWebhook posts body to a webhook with client and header, cancelled when
// the server closes. It returns the answer's status code and status line.
func (c *Core[K, M, R]) PostWebhook(client *http.Client, url string, header http.Header, body []byte) (code int, status string, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.srv.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return 0, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	drain(resp)
	return resp.StatusCode, resp.Status, nil
}

// Delivery is one webhook delivery a fake's loop attempts: Post runs without
// the lock; Done, with the lock held, records its outcome.
type Delivery struct {
	Post func() error
	Done func(err error)
}

// RunWebhook is a fake's webhook loop: it delivers what next (called with the
// lock held) returns, one at a time and in order, and waits for a change when
// there is nothing to deliver. A failed delivery is retried after a short
// backoff (20 ms doubling up to 1 s), or sooner when something changes. It
// returns when the server closes.
func (c *Core[K, M, R]) RunWebhook(next func() (Delivery, bool)) {
	backoff := time.Duration(0)
	for {
		c.mu.Lock()
		d, ok := next()
		changed := c.changed.C()
		c.mu.Unlock()
		if !ok {
			select {
			case <-changed:
				continue
			case <-c.srv.Done():
				return
			}
		}
		err := d.Post()
		c.mu.Lock()
		d.Done(err)
		if err == nil {
			backoff = 0
		} else {
			backoff = min(max(2*backoff, 20*time.Millisecond), time.Second)
		}
		c.changed.Notify()
		changed = c.changed.C()
		c.mu.Unlock()
		if err != nil {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-changed:
			case <-c.srv.Done():
				t.Stop()
				return
			}
			t.Stop()
		}
	}
}

// Poll is one long-polling getUpdates: it counts as waiting (LongPolls) while
// it waits, and its wait ends at its timeout, at ExpirePolls, or when the
// server changes. Start it with StartPoll and defer its Stop.
type Poll[K comparable, M any, R any] struct {
	c        *Core[K, M, R]
	timeout  time.Duration
	timer    *time.Timer
	deadline <-chan time.Time
	waiting  bool
}

// StartPoll starts a poll that waits at most timeout (none when <= 0).
func (c *Core[K, M, R]) StartPoll(timeout time.Duration) *Poll[K, M, R] {
	p := &Poll[K, M, R]{c: c, timeout: timeout}
	if timeout > 0 {
		p.timer = time.NewTimer(timeout)
		p.deadline = p.timer.C
	}
	return p
}

// TimedOut reports whether the poll's time is up (its timeout passed, or
// ExpirePolls): it is to answer with what it has.
func (p *Poll[K, M, R]) TimedOut() bool { return p.timeout <= 0 }

// Why a poll's Wait ended.
const (
	// PollChanged: the state changed (or the time is up); look again.
	PollChanged = iota
	// PollKilled: kill was closed.
	PollKilled
	// PollGone: the client went away or the server closed; do not answer.
	PollGone
)

// Wait is called with the lock held; it counts the poll as waiting, unlocks,
// waits for a change, the deadline, ExpirePolls, kill (nil for none), the
// client or the server, and locks again unless it returns PollGone or
// PollKilled.
func (p *Poll[K, M, R]) Wait(ctx context.Context, kill <-chan struct{}) int {
	c := p.c
	if !p.waiting {
		p.waiting = true
		c.waiting++
		c.changed.Notify()
	}
	changed, expire := c.changed.C(), c.expire
	c.mu.Unlock()
	select {
	case <-changed:
	case <-p.deadline:
		p.timeout = 0
	case <-expire:
		p.timeout = 0
	case <-kill:
		return PollKilled
	case <-ctx.Done():
		return PollGone
	case <-c.srv.Done():
		return PollGone
	}
	c.mu.Lock()
	return PollChanged
}

// LeaveLocked stops counting the poll as waiting; call it, with the lock
// held, before answering: a test that sees LongPolls() == 1 must be seeing
// the poll that will take its update or its ExpirePolls, not one already on
// its way out.
func (p *Poll[K, M, R]) LeaveLocked() {
	if p.waiting {
		p.waiting = false
		p.c.waiting--
		p.c.changed.Notify()
	}
}

// Stop stops the timer and, for a poll that returned without the lock (the
// client went away), stops counting it as waiting.
func (p *Poll[K, M, R]) Stop() {
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.waiting {
		p.c.mu.Lock()
		p.LeaveLocked()
		p.c.mu.Unlock()
	}
}

// Base is the API every fake server offers its tests; the fake embeds it.
// All methods are safe for concurrent use.
type Base[K comparable, M any, R any] struct{ c *Core[K, M, R] }

// Close releases held and long-polling requests, stops webhook delivery and
// shuts the server down. It is safe to call more than once.
func (b Base[K, M, R]) Close() { b.c.srv.Close() }

// URL is the server's base URL, e.g. http://127.0.0.1:PORT.
func (b Base[K, M, R]) URL() string { return b.c.srv.URL() }

// Client is an HTTP client for the server.
func (b Base[K, M, R]) Client() *http.Client { return b.c.srv.Client() }

// DoAsync sends req with the server's client in the background and delivers the
// transport error (nil when an answer came) once the call returns: for tests that
// cancel a request the server is holding (a long poll, a gated send).
func (b Base[K, M, R]) DoAsync(req *http.Request) <-chan error {
	done := make(chan error, 1)
	go func() {
		resp, err := b.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	return done
}

// Token is the accepted bot token.
func (b Base[K, M, R]) Token() string { return b.c.token }

// WaitFor returns when cond() is true, re-checking after every change to the
// server (a call received, a message accepted or edited, an error answered,
// updates queued or consumed, a webhook delivery), or with ctx's error. cond
// may call the Server's accessors.
func (b Base[K, M, R]) WaitFor(ctx context.Context, cond func() bool) error {
	return b.c.changed.WaitFor(ctx, b.c.srv.Done(), errors.New(b.c.name+": server closed"), cond)
}

// Messages returns what chat received, in order.
func (b Base[K, M, R]) Messages(chat K) []M {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return append([]M(nil), b.c.sent[chat]...)
}

// AllMessages returns every accepted message, in order of acceptance.
func (b Base[K, M, R]) AllMessages() []M {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return append([]M(nil), b.c.all...)
}

// Accepted is the number of messages accepted.
func (b Base[K, M, R]) Accepted() int {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return len(b.c.all)
}

// WaitMessages waits until chat has received at least n messages and
// returns them, or returns ctx's error.
func (b Base[K, M, R]) WaitMessages(ctx context.Context, chat K, n int) ([]M, error) {
	var got []M
	err := b.WaitFor(ctx, func() bool {
		got = b.Messages(chat)
		return len(got) >= n
	})
	return got, err
}

// WaitAccepted waits until at least n messages were accepted in total.
func (b Base[K, M, R]) WaitAccepted(ctx context.Context, n int) error {
	return b.WaitFor(ctx, func() bool { return b.Accepted() >= n })
}

// Errors is the number of error answers with the given error code.
func (b Base[K, M, R]) Errors(code int) int {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return b.c.errs[code]
}

// Count429 is the number of 429 answers given (rate limits and scripted).
func (b Base[K, M, R]) Count429() int { return b.Errors(http.StatusTooManyRequests) }

// Calls is the number of calls of a method (its Bot API name; any case where
// the platform ignores case) with the right token, including failed ones.
func (b Base[K, M, R]) Calls(method string) int {
	m, ok := b.c.methods[b.c.fold(method)]
	if !ok {
		return 0
	}
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return b.c.calls[m.name]
}

// Script queues one-shot replies for the next sends to chat, consumed in
// order before anything else about the call is checked (a reply with Deliver
// still has the call checked and recorded).
func (b Base[K, M, R]) Script(chat K, replies ...R) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	b.c.chatScripts[chat] = append(b.c.chatScripts[chat], replies...)
}

// ScriptMethod queues one-shot replies for the next calls of a method (its
// Bot API name, e.g. "getUpdates"), whatever their parameters. They are
// consumed after the token is checked and before the method runs. An unknown
// method panics.
func (b Base[K, M, R]) ScriptMethod(name string, replies ...R) {
	m, ok := b.c.methods[b.c.fold(name)]
	if !ok {
		panic(fmt.Sprintf("%s: ScriptMethod: unknown method %q", b.c.name, name))
	}
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	b.c.methodScripts[m.name] = append(b.c.methodScripts[m.name], replies...)
}

// LongPolls is the number of getUpdates requests waiting for updates now.
func (b Base[K, M, R]) LongPolls() int {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return b.c.waiting
}

// ExpirePolls makes every long-polling getUpdates return now, as if its
// timeout had elapsed, so a test need not wait for it.
func (b Base[K, M, R]) ExpirePolls() {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	close(b.c.expire)
	b.c.expire = make(chan struct{})
}
