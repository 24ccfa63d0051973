// Command bench measures Loa against its peers, in one run, and prints
// the ratios.
//
//	go run ./build/bench site     the site builder against Hugo
//	go run ./build/bench forms    the form handler under load, the Lambda zip and cold start
//	go run ./build/bench export   loa-export on 10,000 and 100,000 questions, CSV and XLSX (target ≤ 10 s)
//	go run ./build/bench reload   one page rebuilt by serve, against a full build
//	go run ./build/bench images   phone photos through the image pipeline against Hugo's, cold and warm
//	go run ./build/bench search   the search index and a first query, against Pagefind
//	go run ./build/bench province 104 units of 300 pages from scratch and after one page changed, against Hugo
//	go run ./build/bench province-forms  questions to 104 units at once while staff list and export (≥ 2,500/s, p99 ≤ 50 ms, none lost or misplaced)
package main

import (
	"fmt"
	"os"
	"strings"
)

// benchmarks names the benchmarks, as the usage line lists them.
const benchmarks = "site|forms|export|reload|images|search|province|province-forms"

// commands are the benchmarks, by name. Each parses its own flags.
var commands = map[string]func(args []string) error{
	"site":           benchSite,
	"forms":          benchForms,
	"export":         benchExport,
	"reload":         benchReload,
	"images":         benchImages,
	"search":         benchSearch,
	"province":       benchProvince,
	"province-forms": benchProvinceForms,
	// search-index is the child process benchSearch times, not a benchmark.
	"search-index": searchIndex,
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./build/bench <"+benchmarks+"> [flags]")
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: %q is not a benchmark (have: %s)\n", os.Args[1], strings.ReplaceAll(benchmarks, "|", ", "))
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
