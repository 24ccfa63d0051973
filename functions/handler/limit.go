package handler

import (
	"container/list"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per client (or per receipt code). Past
// max buckets, a new key drops the one seen least recently, but only if
// that bucket is full again: a full bucket is just what a new key gets, so
// dropping it forgets nothing. A bucket with tokens missing is never
// dropped before it has filled up: otherwise junk keys sent from many
// addresses would hand a guessed code or a busy client a fresh budget.
// Those buckets are kept past max, up to hardMax (ten times max, a few
// megabytes); beyond that a new key is refused until the oldest fills up,
// the safe side of the choice.
type limiter struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	max   int
	byKey map[string]*list.Element
	lru   *list.List // front: most recently seen
}

type bucket struct {
	key string
	lim *rate.Limiter
}

// hardMaxFactor times max is the most buckets a limiter keeps.
const hardMaxFactor = 10

func newLimiter(r rate.Limit, burst, max int) *limiter {
	return &limiter{rate: r, burst: burst, max: max, byKey: map[string]*list.Element{}, lru: list.New()}
}

// allow takes one token for key. When there is none it says how long until
// there is one.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	ok, wait, _ := l.take(key, now)
	return ok, wait
}

// take is allow that can be undone: giveBack returns the token (nil when
// none was taken). The staff routes take a token before the slow check of
// the secret, so that guesses sent at once are counted as they come, and
// give it back when the secret was right.
func (l *limiter) take(key string, now time.Time) (ok bool, wait time.Duration, giveBack func()) {
	if l.rate == rate.Inf {
		return true, 0, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *bucket
	if e, ok := l.byKey[key]; ok {
		l.lru.MoveToFront(e)
		b = e.Value.(*bucket)
	} else {
		for l.lru.Len() >= l.max {
			old := l.lru.Back()
			if old.Value.(*bucket).lim.TokensAt(now) < float64(l.burst) {
				break // still counting: kept until it is full again
			}
			l.lru.Remove(old)
			delete(l.byKey, old.Value.(*bucket).key)
		}
		if l.lru.Len() >= l.max*hardMaxFactor {
			old := l.lru.Back().Value.(*bucket).lim
			wait := time.Duration((float64(l.burst) - old.TokensAt(now)) / float64(l.rate) * float64(time.Second))
			return false, max(wait, time.Second), nil
		}
		b = &bucket{key: key, lim: rate.NewLimiter(l.rate, l.burst)}
		l.byKey[key] = l.lru.PushFront(b)
	}
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute, nil
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d, nil
	}
	return true, 0, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		r.CancelAt(now)
	}
}

// clientKey is the address a request is counted by: the first value of the
// trusted header when one is configured and carries an address (a proxy we
// run puts the client there), else the peer address. IPv6 clients are
// counted by /64, the block one household or phone usually gets.
func clientKey(r *http.Request, trustedHeader string) string {
	if trustedHeader != "" {
		if a, ok := ParseAddr(r.Header.Get(trustedHeader)); ok {
			return addrKey(a)
		}
	}
	if a, ok := ParseAddr(r.RemoteAddr); ok {
		return addrKey(a)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host
}

// ParseAddr reads the first address of a header value or of sourceIp:
// "ip", "ip:port", "[ipv6]:port" or CloudFront's unbracketed "ipv6:port".
// An IPv6 address followed by a port of four digits or fewer reads as an
// address; clients are counted by IPv6 /64, which that rarely changes,
// and clients' source ports are mostly five digits.
func ParseAddr(v string) (netip.Addr, bool) {
	v, _, _ = strings.Cut(v, ",")
	v = strings.TrimSpace(v)
	if v == "" {
		return netip.Addr{}, false
	}
	if ap, err := netip.ParseAddrPort(v); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return a.Unmap(), true
	}
	if i := strings.LastIndexByte(v, ':'); i > 0 {
		if a, err := netip.ParseAddr(v[:i]); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

func addrKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		if p, err := a.WithZone("").Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}
