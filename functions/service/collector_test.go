package service

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneCollector: the service's collector settings are applied, and
// left alone when the environment sets its own.
func TestTuneCollector(t *testing.T) {
	before := debug.SetGCPercent(100)
	beforeLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(before)
		debug.SetMemoryLimit(beforeLimit)
	})

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	TuneCollector()
	if got := debug.SetGCPercent(100); got != collectorPercent {
		t.Errorf("GC percent %d, want %d", got, collectorPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != collectorLimit {
		t.Errorf("memory limit %d, want %d", got, collectorLimit)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "50")
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			TuneCollector()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("with %s set, GC percent changed to %d", env, got)
			}
			if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
				t.Errorf("with %s set, memory limit changed to %d", env, got)
			}
		})
	}
}
