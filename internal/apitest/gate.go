package apitest

import (
	"context"
	"sync"
)

// Gate holds scripted requests until the test releases them; the held request
// also ends when its client goes away or the server closes. Nothing sleeps.
type Gate struct {
	arrived, released chan struct{}
	arriveOnce        sync.Once
	releaseOnce       sync.Once
}

// NewGate returns a closed gate.
func NewGate() *Gate {
	return &Gate{arrived: make(chan struct{}), released: make(chan struct{})}
}

// Arrived is closed once a request reaches the gate.
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Release lets every held request (and any later one) through.
func (g *Gate) Release() { g.releaseOnce.Do(func() { close(g.released) }) }

// Hold is what a fake does with a request scripted to wait at g: it marks the
// gate arrived and waits for Release. It reports false when ctx (the
// request's) ends or done (the server's) closes first.
func (g *Gate) Hold(ctx context.Context, done <-chan struct{}) bool {
	g.arriveOnce.Do(func() { close(g.arrived) })
	select {
	case <-g.released:
		return true
	case <-ctx.Done():
		return false
	case <-done:
		return false
	}
}
