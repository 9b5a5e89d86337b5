package apitest

import (
	"context"
	"errors"
	"testing"
)

func TestGateHold(t *testing.T) {
	t.Parallel()
	g := NewGate()
	held := make(chan bool)
	go func() { held <- g.Hold(context.Background(), nil) }()
	<-g.Arrived()
	g.Release()
	if !<-held {
		t.Error("released hold reported false")
	}
	if !g.Hold(context.Background(), nil) {
		t.Error("hold after release reported false")
	}

	done := make(chan struct{})
	close(done)
	if NewGate().Hold(context.Background(), done) {
		t.Error("hold on a closed server reported true")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if NewGate().Hold(ctx, nil) {
		t.Error("hold with a cancelled request reported true")
	}
}

func TestChangesWaitFor(t *testing.T) {
	t.Parallel()
	var c Changes
	n := make(chan int, 1)
	n <- 0
	get := func() int { v := <-n; n <- v; return v }
	errc := make(chan error)
	go func() { errc <- c.WaitFor(context.Background(), nil, nil, func() bool { return get() >= 3 }) }()
	for i := 1; i <= 3; i++ {
		<-n
		n <- i
		c.Notify()
	}
	if err := <-errc; err != nil {
		t.Fatalf("WaitFor: %v", err)
	}
	closed := errors.New("closed")
	done := make(chan struct{})
	close(done)
	if err := c.WaitFor(context.Background(), done, closed, func() bool { return false }); err != closed {
		t.Errorf("closed server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.WaitFor(ctx, nil, closed, func() bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
