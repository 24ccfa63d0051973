// Command publish syncs the built site to its S3 bucket; see package
// loa/build/publish. `make publish` runs it with the stack's bucket.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"loa/build/publish"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := publish.Main(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
