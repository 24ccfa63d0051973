package handler

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// A receipt code's budget of tries is not reset by junk keys: past the
// limiter's size, buckets that still count are kept until they are full
// again, and only full ones make room.
func TestLimiterKeepsExhaustedEntries(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := newLimiter(rate.Every(6*time.Minute), 10, 100)
	for range 10 {
		if ok, _ := l.allow("CH-guessed", now); !ok {
			t.Fatal("the first ten tries were refused")
		}
	}
	// Junk from many addresses: ten times the limiter's size in new keys.
	for i := range 1000 {
		l.allow(fmt.Sprintf("junk-%d", i), now.Add(time.Millisecond))
	}
	if ok, _ := l.allow("CH-guessed", now.Add(time.Second)); ok {
		t.Fatal("an exhausted code got a fresh budget after junk keys filled the limiter")
	}
	// An hour on, every bucket is full again: old keys make room, and the
	// code has its tries back.
	later := now.Add(time.Hour + time.Minute)
	for i := range 200 {
		if ok, _ := l.allow(fmt.Sprintf("new-%d", i), later); !ok {
			t.Fatalf("new key %d refused once every bucket was full again", i)
		}
	}
	for k := range l.byKey {
		if len(k) > 5 && k[:5] == "junk-" {
			t.Fatalf("bucket %s, full again, was kept past the limiter's size", k)
		}
	}
	if ok, _ := l.allow("CH-guessed", later); !ok {
		t.Error("the code's tries did not come back after an hour")
	}
}
