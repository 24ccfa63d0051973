package handler

import (
	"context"
	"runtime"
)

// Gate bounds how many submissions are checked and saved at once; those
// past the bound wait their turn in the order they came (a channel's
// waiting senders are served first in, first out). On a busy evening this
// keeps a few submissions moving at full speed instead of all of them at
// a crawl: the CPU goes to the oldest first, so the slowest answer stays
// close to the typical one, and the memory held by submissions in flight
// is bounded. A Lambda instance answers one request at a time, so there
// the gate never closes; it matters where one process takes every request
// (serve, and a province's units, which share one Gate).
type Gate struct {
	slots chan struct{}
}

// NewGate lets n submissions through at once; n ≤ 0 means four for each
// CPU the process may use, enough to keep the CPUs busy while some wait
// on the store.
func NewGate(n int) *Gate {
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	return &Gate{slots: make(chan struct{}, n)}
}

// enter waits for a slot until ctx ends; false means it did not get one.
func (g *Gate) enter(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	select {
	case g.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// leave gives back the slot taken by enter.
func (g *Gate) leave() { <-g.slots }
