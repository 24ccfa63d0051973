// Command package builds the Lambda bootstrap for arm64 (provided.al2023)
// and writes the zip to upload: `make package` runs
//
//	go run ./functions/cmd/package -o dist/bootstrap.zip
//
// The zip is written in Go rather than by the zip tool so that packaging
// needs nothing but Go, and the bootstrap's mode (0755) and timestamp in
// the zip do not depend on the machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"loa/functions/lambdadev"
)

func main() {
	out := flag.String("o", "dist/bootstrap.zip", "the zip to write")
	arch := flag.String("arch", "arm64", "GOARCH of the function")
	flag.Parse()
	if err := run(*out, *arch); err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
}

func run(out, arch string) error {
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bin, err := lambdadev.Build(context.Background(), dir, arch)
	if err != nil {
		return err
	}
	if err := lambdadev.Zip(bin, out); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %.1f MB (%s bootstrap, %d bytes)\n", out, float64(st.Size())/1e6, arch, st.Size())
	return nil
}
