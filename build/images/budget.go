package images

import "sync"

// budget is a weighted semaphore: work takes n units (pixels) before it
// starts and gives them back when done, and waits while the units in use
// plus n would pass the total. A request larger than the total is cut to
// the total, so it runs alone rather than never.
type budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	total int64
	used  int64
}

func newBudget(total int64) *budget {
	b := &budget{total: total}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits for n units and returns the number taken, to give back.
func (b *budget) acquire(n int64) int64 {
	n = min(max(n, 1), b.total)
	b.mu.Lock()
	for b.used+n > b.total {
		b.cond.Wait()
	}
	b.used += n
	b.mu.Unlock()
	return n
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}
