package store_test

import (
	"context"
	"testing"
	"time"

	"loa/internal/dbtest"
)

// TestStaleReplicaCannotOverwriteNewerClaim: replica A claims a delivery, stalls past
// its lease, replica B claims it again; A's late write must not touch B's claim.
func TestStaleReplicaCannotOverwriteNewerClaim(t *testing.T) {
	t.Parallel()
	s := dbtest.Store(t)
	ctx := context.Background()
	subscribe(t, s, "telegram", "1", "private")
	broadcast(t, s, "a", "news", "")
	now := time.Now().Add(time.Second)
	a, err := s.ClaimDeliveries(ctx, "telegram", now, time.Minute, 10, "replica-a")
	if err != nil || len(a) != 1 {
		t.Fatalf("A's claim: %v, %v", a, err)
	}
	// A's lease runs out; B claims the delivery.
	b, err := s.ClaimDeliveries(ctx, "telegram", now.Add(2*time.Minute), time.Minute, 10, "replica-b")
	if err != nil || len(b) != 1 {
		t.Fatalf("B's claim after A's lease: %v, %v", b, err)
	}
	// A wakes up and records a transient failure: due again at once.
	_ = s.RetryDelivery(ctx, a[0].ID, now, "stale replica's outcome", true)
	if again, err := s.ClaimDeliveries(ctx, "telegram", now.Add(2*time.Minute), time.Minute, 10, "replica-c"); err != nil || len(again) != 0 {
		t.Fatalf("a stale replica's write released B's claim: claimed again %v, %v", again, err)
	}
}
