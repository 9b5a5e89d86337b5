package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"loa/internal/dbtest"
	"loa/store"
)

// BenchmarkRecordPollFence measures what the leader fence adds to a poll's record: one
// quiet poll (nothing new: the common case) recorded with and without a fence. The
// fence costs two statements in the transaction (the idle timeout and the share-locked
// check of the leader row).
func BenchmarkRecordPollFence(b *testing.B) {
	for _, fenced := range []bool{false, true} {
		b.Run(fmt.Sprintf("fenced=%v", fenced), func(b *testing.B) {
			s := dbtest.Store(b)
			ctx := context.Background()
			f, err := s.AddFeed(ctx, store.NewFeed{URL: "https://portal.example/rss", Topic: "news", Interval: time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			if fenced {
				term, ok, err := s.Elect(ctx, "default", "bench", time.Hour)
				if err != nil || !ok {
					b.Fatalf("elect: %v, %v", ok, err)
				}
				ctx = store.WithLeaderFence(ctx, term)
			}
			ps := store.PollSuccess{FeedID: f.ID, PolledAt: time.Now(), NextPollAt: time.Now(), Items: items(1, 2, 3, 4, 5), MaxAnnounce: 5}
			start := time.Now()
			for b.Loop() {
				if _, err := s.RecordPoll(ctx, ps); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/record")
		})
	}
}

// BenchmarkRenewLeadership measures one renewal of the leader's term, which the leader
// sends every 5 s.
func BenchmarkRenewLeadership(b *testing.B) {
	s := dbtest.Store(b)
	ctx := context.Background()
	term, ok, err := s.Elect(ctx, "default", "bench", time.Minute)
	if err != nil || !ok {
		b.Fatalf("elect: %v, %v", ok, err)
	}
	start := time.Now()
	for b.Loop() {
		if err := s.RenewLeadership(ctx, term, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/renewal")
}
