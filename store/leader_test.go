package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loa/internal/dbtest"
	"loa/store"
)

func elect(t *testing.T, s *store.Store, id string, ttl time.Duration) (store.LeaderTerm, bool) {
	t.Helper()
	term, ok, err := s.Elect(context.Background(), "default", id, ttl)
	if err != nil {
		t.Fatalf("elect %s: %v", id, err)
	}
	return term, ok
}

func TestLeaderElectionRenewalAndResignation(t *testing.T) {
	s, ctx := parallelStore(t)

	a1, ok := elect(t, s, "a", time.Minute)
	if !ok || a1.Term != 1 {
		t.Fatalf("first election: %+v, %v; want a elected for term 1", a1, ok)
	}
	if _, ok := elect(t, s, "b", time.Minute); ok {
		t.Fatal("b elected while a's term runs")
	}
	// a takes its own row back (after stepping down on a late answer): a new term, so
	// fences of the old one fail.
	a2, ok := elect(t, s, "a", time.Minute)
	if !ok || a2.Term != 2 {
		t.Fatalf("a re-elected: %+v, %v; want term 2", a2, ok)
	}
	if err := s.RenewLeadership(ctx, a2, time.Minute); err != nil {
		t.Fatalf("renew the current term: %v", err)
	}
	if err := s.RenewLeadership(ctx, a1, time.Minute); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("renew an old term: %v; want ErrNotLeader", err)
	}

	// Resigning hands over at once.
	if err := s.Resign(ctx, a2); err != nil {
		t.Fatal(err)
	}
	b3, ok := elect(t, s, "b", time.Minute)
	if !ok || b3.Term != 3 {
		t.Fatalf("b after a resigned: %+v, %v; want term 3", b3, ok)
	}
	if err := s.RenewLeadership(ctx, a2, time.Minute); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("a renews after b took over: %v; want ErrNotLeader", err)
	}
	l, err := s.Leader(ctx, "default")
	if err != nil || l.LeaderID != "b" || l.Term != 3 || l.Expired || !l.ExpiresAt.After(l.ElectedAt) {
		t.Fatalf("leader row = %+v, %v", l, err)
	}
}

func TestLeaderTermExpiresByTheDatabaseClock(t *testing.T) {
	t.Parallel()
	s := dbtest.Store(t)
	// A term of zero length has expired by the time anyone looks: the row is taken over
	// without waiting, and the old term's renewal is refused.
	a, ok := elect(t, s, "a", 0)
	if !ok {
		t.Fatal("a not elected")
	}
	b, ok := elect(t, s, "b", time.Minute)
	if !ok || b.Term != a.Term+1 {
		t.Fatalf("b over an expired term: %+v, %v", b, ok)
	}
	if err := s.RenewLeadership(context.Background(), a, time.Minute); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("renew a taken-over term: %v", err)
	}
}

// takeOver elects a, who resigns, then b: it returns a's term, over, and b's, current.
func takeOver(t *testing.T, s *store.Store) (old, cur store.LeaderTerm) {
	t.Helper()
	old, _ = elect(t, s, "a", time.Minute)
	if err := s.Resign(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	cur, ok := elect(t, s, "b", time.Minute)
	if !ok {
		t.Fatal("b not elected")
	}
	return old, cur
}

func TestFencedWritesCommitOnlyForTheCurrentTerm(t *testing.T) {
	t.Parallel()
	s, f := storeWithFeed(t)
	ctx := context.Background()
	old, cur := takeOver(t, s)
	ps := store.PollSuccess{FeedID: f.ID, PolledAt: t0, NextPollAt: t0.Add(time.Minute), Items: items(1, 2), MaxAnnounce: 10}

	// The old leader's poll, finishing after the takeover, writes nothing.
	if _, err := s.RecordPoll(store.WithLeaderFence(ctx, old), ps); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("old term's poll: %v; want ErrNotLeader", err)
	}
	if got, err := s.Feed(ctx, f.ID); err != nil || got.Primed || got.LastPolledAt != nil {
		t.Fatalf("feed after the refused poll: %+v, %v; want it untouched", got, err)
	}
	_, err := s.RecordPollFailure(store.WithLeaderFence(ctx, old), store.PollFailure{FeedID: f.ID, PolledAt: t0, Err: "x", NextPollAt: t0})
	if !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("old term's failure: %v; want ErrNotLeader", err)
	}

	// The current leader's poll commits; so does one with no fence (the command line).
	if res, err := s.RecordPoll(store.WithLeaderFence(ctx, cur), ps); err != nil || !res.Primed {
		t.Fatalf("current term's poll: %+v, %v", res, err)
	}
	ps.Items = items(1, 2, 3)
	if res, err := s.RecordPoll(ctx, ps); err != nil || res.New != 1 {
		t.Fatalf("unfenced poll: %+v, %v", res, err)
	}

	// Once the current term has expired (resigned here), its fence fails too.
	if err := s.Resign(ctx, cur); err != nil {
		t.Fatal(err)
	}
	ps.Items = items(1, 2, 3, 4)
	if _, err := s.RecordPoll(store.WithLeaderFence(ctx, cur), ps); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("expired term's poll: %v; want ErrNotLeader", err)
	}
	if got := broadcastTitles(t, s); len(got) != 1 {
		t.Fatalf("broadcasts %v; want only item 3's", got)
	}
}

// TestNoticeFencedByTerm: a calendar notice (CreateBroadcast) made by a leader whose term
// is over is not written; the current leader's is, and so is one with no fence.
func TestNoticeFencedByTerm(t *testing.T) {
	s, ctx := parallelStore(t)
	old, cur := takeOver(t, s)
	nb := store.NewBroadcast{SourceKey: "anniv:1:2024-06-05", Kind: store.KindAnniversary, Topic: "anniversaries", Title: "Kỷ niệm"}
	if _, _, err := s.CreateBroadcast(store.WithLeaderFence(ctx, old), nb); !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("old term's notice: %v; want ErrNotLeader", err)
	}
	if got := broadcastTitles(t, s); len(got) != 0 {
		t.Fatalf("broadcasts after the refused notice: %v", got)
	}
	if _, created, err := s.CreateBroadcast(store.WithLeaderFence(ctx, cur), nb); err != nil || !created {
		t.Fatalf("current term's notice: %v, %v", created, err)
	}
	nb.SourceKey = "ann:7:2024-06-05T07:00"
	if _, created, err := s.CreateBroadcast(ctx, nb); err != nil || !created {
		t.Fatalf("unfenced broadcast: %v, %v", created, err)
	}
}
