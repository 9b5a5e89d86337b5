package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"loa/feeds"
	"loa/store"
)

// Bounds on how far the feed's own hints and failures may push its next poll.
const (
	// maxTTL caps a feed's <ttl> hint: a stale hint of a day must not silence a news feed.
	maxTTL = time.Hour
	// maxBackoff caps the wait after repeated failures.
	maxBackoff = 6 * time.Hour
	// maxRetryAfter caps a server's Retry-After.
	maxRetryAfter = 24 * time.Hour
	// maxPanics disables a feed whose poll panicked after this many failures in a row
	// (the last a panic), sooner than MaxFailures: a panic is a bug that polling again
	// will not fix, and each one costs a stack in the log.
	maxPanics = 3
)

// FeedFetcher fetches a feed; *feeds.Fetcher is the real one.
type FeedFetcher interface {
	Fetch(ctx context.Context, req feeds.Request, now time.Time) (*feeds.Result, error)
}

// Poller polls due feeds and records what it finds: new items become broadcasts, in the
// same transaction that records them as seen.
type Poller struct {
	Store   *store.Store
	Fetcher FeedFetcher
	Log     *slog.Logger
	Metrics *Metrics
	// Now is the clock; polls are scheduled and recorded by it.
	Now func() time.Time
	// Backlog: how many of a new feed's newest items its first poll announces.
	Backlog int
	// MaxAnnounce: how many new items one poll announces at most.
	MaxAnnounce int
	// MaxFailures: consecutive failures after which a feed is disabled (0: never).
	MaxFailures int
	// MaxPerDay: how many items one feed announces per day at most, days in Location
	// (0: no cap); the rest are recorded as seen and the admins told once that day.
	MaxPerDay int
	// Location is where days begin for MaxPerDay (nil: UTC).
	Location *time.Location
	// Concurrency: feeds polled at once (default 4).
	Concurrency int
	// Lease: how long a claimed feed stays claimed; longer than a fetch can take
	// (default 5 minutes).
	Lease time.Duration
	// Alert tells the admins; key makes one alert of several raisings (nil: log only).
	Alert func(ctx context.Context, key, text string)

	capMu      sync.Mutex
	capAlerted map[int64]string // feed id → the local day its cap alert was raised
}

// PollDue claims the feeds that are due and polls them, a few at a time. It returns how
// many it polled; one feed's failure, or panic, is recorded on that feed and does not
// stop the others.
func (p *Poller) PollDue(ctx context.Context) (int, error) {
	conc := p.Concurrency
	if conc <= 0 {
		conc = 4
	}
	lease := p.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	due, err := p.Store.ClaimDueFeeds(ctx, p.Now(), lease, 100)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for _, f := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.Poll(ctx, f)
		}()
	}
	wg.Wait()
	return len(due), nil
}

// Poll fetches one feed and records the outcome. Errors are recorded on the feed and
// logged, not returned: a feed that misbehaves is that feed's problem. A panic while
// polling (a parser bug on a strange document) is recovered, logged with its stack and
// recorded as a failure, with backoff; a feed that keeps panicking is disabled with the
// panic as its reason, rather than crashing the process on every poll.
func (p *Poller) Poll(ctx context.Context, f store.Feed) {
	start := p.Now()
	log := p.Log.With(slog.Int64("feed_id", f.ID))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		log.Error("feed poll panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		if ctx.Err() != nil {
			return // shutting down: the claim's lease makes the feed due again
		}
		maxFailures := maxPanics
		if p.MaxFailures > 0 {
			maxFailures = min(p.MaxFailures, maxPanics)
		}
		p.recordFailure(ctx, log, f, start, fmt.Errorf("panic: %v", r), maxFailures)
	}()
	res, err := p.Fetcher.Fetch(ctx, feeds.Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified}, start)
	if err != nil {
		if ctx.Err() != nil {
			p.release(ctx, log, f, start)
			return
		}
		p.recordFailure(ctx, log, f, start, err, p.MaxFailures)
		return
	}
	out, err := p.Record(ctx, f, res, start)
	if errors.Is(err, store.ErrNotFound) {
		log.Info("feed removed while it was being polled")
		return
	}
	if errors.Is(err, store.ErrNotLeader) {
		log.Info("no longer the leader: poll discarded; the new leader polls the feed again")
		return
	}
	if err != nil {
		if ctx.Err() != nil {
			p.release(ctx, log, f, start)
			return
		}
		log.Error("record poll", slog.String("error", err.Error()))
		p.Metrics.poll("error", p.Now().Sub(start))
		return
	}
	result := "ok"
	if res.NotModified {
		result = "not_modified"
	}
	p.Metrics.poll(result, p.Now().Sub(start))
	p.Metrics.items(out.New, len(out.Broadcasts))
	if out.OverDayCap > 0 {
		p.dayCapReached(ctx, log, f, start, out.OverDayCap)
	}
	attrs := []any{slog.String("result", result), slog.Int("new_items", out.New), slog.Int("broadcasts", len(out.Broadcasts))}
	if out.Primed {
		attrs = append(attrs, slog.Bool("primed", true))
	}
	if out.URLChanged {
		attrs = append(attrs, slog.String("new_url", feeds.RedactURL(res.URL)))
	}
	level := slog.LevelDebug // a quiet poll is routine
	if out.New > 0 || out.URLChanged {
		level = slog.LevelInfo
	}
	log.Log(ctx, level, "polled feed", attrs...)
}

// releaseTimeout bounds handing a feed back when its poll is abandoned.
const releaseTimeout = 2 * time.Second

// release hands back a feed whose poll was abandoned because ctx ended (shutdown, or
// the end of the leader's term), due at start, so that the next leader polls it at once
// rather than when the claim's lease ends. It runs after ctx ended, on a short context
// of its own that keeps ctx's values: under the leader's fence, it applies only if the
// term still holds (a clean shutdown resigns after the led work has stopped).
func (p *Poller) release(ctx context.Context, log *slog.Logger, f store.Feed, start time.Time) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := p.Store.ReleaseFeed(rctx, f.ID, start); err != nil && !errors.Is(err, store.ErrNotLeader) {
		log.Warn("hand back an abandoned poll's feed", slog.String("error", err.Error()))
	}
}

// Record stores a successful fetch of f made at start: new items, their broadcasts and
// the feed's next poll. `loa feeds add` uses it to prime a feed with the fetch that
// validated it.
func (p *Poller) Record(ctx context.Context, f store.Feed, res *feeds.Result, start time.Time) (store.PollResult, error) {
	dayStart, dayEnd := p.day(start)
	ps := store.PollSuccess{
		FeedID:       f.ID,
		PolledAt:     start,
		NotModified:  res.NotModified,
		ETag:         res.ETag,
		LastModified: res.LastModified,
		Backlog:      p.Backlog,
		MaxAnnounce:  p.MaxAnnounce,
		MaxPerDay:    p.MaxPerDay,
		DayStart:     dayStart,
		DayEnd:       dayEnd,
		LinkKey:      feeds.LinkKey,
	}
	if res.Redirected {
		ps.URL = res.URL
	}
	ttl := f.TTL
	if res.Feed != nil {
		ps.Title = res.Feed.Title
		ps.TTL = res.Feed.TTL
		ttl = res.Feed.TTL
		ps.Items = res.Feed.Items
	}
	ps.NextPollAt = start.Add(nextInterval(f.Interval, ttl))
	return p.Store.RecordPoll(ctx, ps)
}

// day returns the bounds of t's day in the poller's location.
func (p *Poller) day(t time.Time) (start, end time.Time) {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 0, 1)
}

// dayCapReached tells the admins, once a day per feed, that the feed reached
// MaxPerDay and its further items are recorded without being announced. A feed that
// announces this much is more likely broken (links that change on every request)
// than busy.
func (p *Poller) dayCapReached(ctx context.Context, log *slog.Logger, f store.Feed, at time.Time, held int) {
	start, _ := p.day(at)
	day := start.Format(time.DateOnly)
	log.Warn("feed reached its daily cap; items recorded without being announced",
		slog.Int("max_per_day", p.MaxPerDay), slog.Int("held_back", held), slog.String("day", day))
	p.capMu.Lock()
	if p.capAlerted == nil {
		p.capAlerted = map[int64]string{}
	}
	already := p.capAlerted[f.ID] == day
	p.capAlerted[f.ID] = day
	p.capMu.Unlock()
	if already || p.Alert == nil {
		return
	}
	// The key makes one alert of the day's raisings across leaders and restarts; the
	// map above only spares the store the repeats.
	p.Alert(ctx, fmt.Sprintf("feed-day-cap:%d:%s", f.ID, day), fmt.Sprintf(
		"Nguồn tin #%d (%s) đã gửi %d tin trong ngày %s, chạm giới hạn LOA_FEED_MAX_PER_DAY. "+
			"Các tin mới khác của nguồn này trong ngày được ghi nhận là đã xem và không gửi đi.\n"+
			"Nếu nguồn tin không thật sự đăng nhiều bài như vậy, có thể đường dẫn bài viết thay đổi mỗi lần tải: hãy kiểm tra nguồn tin (loa feeds list).",
		f.ID, feeds.RedactURL(f.URL), p.MaxPerDay, start.Format("2/1/2006")))
}

// recordFailure records a failed poll, disabling the feed at maxFailures failures in a
// row (0: never).
func (p *Poller) recordFailure(ctx context.Context, log *slog.Logger, f store.Feed, start time.Time, ferr error, maxFailures int) {
	failures := f.ConsecutiveFailures + 1
	wait := backoff(f.Interval, failures)
	var se *feeds.StatusError
	if errors.As(ferr, &se) && se.RetryAfter > wait {
		wait = min(se.RetryAfter, maxRetryAfter)
	}
	disabled, err := p.Store.RecordPollFailure(ctx, store.PollFailure{
		FeedID:      f.ID,
		PolledAt:    start,
		Err:         ferr.Error(),
		NextPollAt:  start.Add(wait),
		MaxFailures: maxFailures,
	})
	p.Metrics.poll("error", p.Now().Sub(start))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNotLeader) {
		return // removed or disabled meanwhile, or no longer ours to record
	}
	if err != nil {
		log.Error("record poll failure", slog.String("error", err.Error()))
		return
	}
	log.Warn("poll failed", slog.String("error", ferr.Error()), slog.Int("consecutive_failures", failures),
		slog.Duration("retry_in", wait))
	if disabled {
		p.Metrics.disabled()
		log.Error("feed disabled after repeated failures", slog.Int("consecutive_failures", failures),
			slog.String("error", ferr.Error()))
		if p.Alert != nil {
			p.Alert(ctx, fmt.Sprintf("feed-disabled:%d:%d", f.ID, start.Unix()), fmt.Sprintf(
				"Nguồn tin #%d (%s) đã bị tắt sau %d lần lấy tin thất bại liên tiếp.\nLỗi cuối: %s\nSửa xong, bật lại bằng: loa feeds enable %d",
				f.ID, feeds.RedactURL(f.URL), failures, ferr.Error(), f.ID)) // the fetcher's errors are redacted
		}
	}
}

// nextInterval is the wait after a successful poll: the configured interval, or the
// feed's TTL hint when that is longer (capped at maxTTL, and never below the interval).
func nextInterval(interval, ttl time.Duration) time.Duration {
	return max(interval, min(ttl, maxTTL))
}

// backoff is the wait after the n-th consecutive failure: the interval doubled for each
// failure after the first, capped at maxBackoff (or the interval, if longer), with up to
// 10% jitter so that feeds failing together spread out.
func backoff(interval time.Duration, n int) time.Duration {
	d := interval
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, max(maxBackoff, interval))
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}
