// Package browsertest starts the headless Chromium that the page tests
// drive (chromedp), with the flags this project's machines need, and runs
// actions and scripts in it with a deadline. Tests of the site, of serve and
// of search share it.
package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"loa/build/internal/tooltest"
)

// Chromium returns the path of Chromium, or fails the test saying how to
// install it; under -short it skips the test (package tooltest).
func Chromium(t testing.TB) string {
	t.Helper()
	return tooltest.LookPath(t, "Chromium is missing: run make tools (Debian's chromium package)", "chromium", "chromium-browser")
}

// Start starts headless Chromium at exe and returns its first tab; both end
// with the test. Background networking, component updates and sync are off:
// the machines reach no host but this one. extra adds flags (a fake camera).
func Start(t testing.TB, exe string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a deadline
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// Deadline bounds one step in the browser.
const Deadline = 30 * time.Second

// Do runs actions in the tab ctx, failing t on an error.
func Do(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, Deadline)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// Eval evaluates js in the tab ctx, awaiting a promise, and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, Deadline)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}
