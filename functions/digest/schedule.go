package digest

import (
	"context"
	"time"

	"loa/functions/vntext"
)

// Schedule runs the digest once a day where nothing else does (serve;
// on AWS an EventBridge schedule invokes the function instead).
type Schedule struct {
	Hour int              // hour of the day it runs, Vietnam time, 0 to 23
	Now  func() time.Time // the service's clock; nil: time.Now
	// After waits (nil: time.After): tests fire it by hand.
	After func(time.Duration) <-chan time.Time
	// Retry is the wait after a run that failed (0: 10 minutes), and
	// Runs the most runs a day (0: 6); then it waits for the next day.
	Retry time.Duration
	Runs  int
}

// Loop calls run at the hour of each day, and at once when started after
// that hour (the store's marks keep a digest from going twice), until ctx
// ends. A run that fails is made again after Retry.
func (s Schedule) Loop(ctx context.Context, run func(context.Context) error) {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.After == nil {
		s.After = time.After
	}
	if s.Retry <= 0 {
		s.Retry = 10 * time.Minute
	}
	if s.Runs <= 0 {
		s.Runs = 6
	}
	day, runs := "", 0
	for {
		now := s.Now().In(vntext.Location)
		today := now.Format("2006-01-02")
		if today != day {
			day, runs = today, 0
		}
		due := time.Date(now.Year(), now.Month(), now.Day(), s.Hour, 0, 0, 0, vntext.Location)
		var wait time.Duration
		switch {
		case now.Before(due):
			wait = due.Sub(now)
		case runs < s.Runs:
			runs++
			if err := run(ctx); err != nil && runs < s.Runs {
				wait = s.Retry
				break
			}
			runs = s.Runs // done for today, sent or not
			wait = due.AddDate(0, 0, 1).Sub(s.Now())
		default:
			wait = due.AddDate(0, 0, 1).Sub(now)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.After(wait):
		}
	}
}
