package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A job that panics is recovered and logged with its stack, the other jobs go on, and
// the panicking job pauses longer after each panic instead of running at its interval.
func TestSchedulerRecoversPanickingJobsWithBackoff(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	var mu sync.Mutex
	var bug, ok atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		Location: time.UTC,
		Log:      slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil)),
		Jobs: []Job{
			{Name: "buggy job", Every: 10 * time.Millisecond, Run: func(context.Context) error {
				bug.Add(1)
				var steps []int
				return fmt.Errorf("step %d", steps[bug.Load()]) // index out of range, as a bug would
			}},
			{Name: "healthy job", Every: 10 * time.Millisecond, Run: func(context.Context) error {
				if ok.Add(1) == 40 {
					cancel()
				}
				return nil
			}},
		},
	}
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the healthy job did not run 40 times")
	}
	// 40 healthy runs take at least 0.4 s; a panicking job backing off from 10 ms
	// doubles its pause each time: about 6 runs in 0.4 s, 10 in 5 s. Without the backoff
	// it would run as often as the healthy one.
	if n := bug.Load(); n < 2 || n > 12 {
		t.Fatalf("the panicking job ran %d times while the healthy one ran 40; want a few retries with backoff", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), `msg="buggy job: panic"`) || !strings.Contains(logs.String(), "index out of range") ||
		!strings.Contains(logs.String(), "scheduler_test.go") {
		t.Fatalf("the panic was not logged with its stack:\n%s", logs.String())
	}
}
