// Command site builds Loa's static site: content/ (or a province's units)
// into public/. It is "go run ./build build" without the rest of Loa's
// command line linked in (see package sitecmd for why); `make site` runs it.
//
//	go run -tags nodynamic ./build/cmd/site [flags]
//
// Run it with -h for its flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"loa/build/sitecmd"
)

func main() {
	if err := sitecmd.Main(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
