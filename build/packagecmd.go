package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"loa/build/internal/lambdadev"
)

// runPackage is "package": the Lambda bootstrap, built by lambdadev.Build.
//
//	package [-o dist/bootstrap.zip] [-arch arm64]   the zip to upload (make package)
//	package -bin DIR                                 DIR/bootstrap, unzipped (SAM's build-FormsFunction)
//
// The zip is written in Go rather than by the zip tool so that packaging
// needs nothing but Go, and the bootstrap's mode (0755) and timestamp in the
// zip do not depend on the machine.
func runPackage(args []string) error {
	fl := flag.NewFlagSet("package", flag.ContinueOnError)
	out := fl.String("o", "dist/bootstrap.zip", "the zip to write")
	bin := fl.String("bin", "", "write the bootstrap binary into this `folder` instead of a zip")
	arch := fl.String("arch", lambdadev.Arch, "GOARCH of the function")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("package: unexpected argument %q", fl.Arg(0))
	}
	ctx := context.Background()
	if *bin != "" {
		path, err := lambdadev.Build(ctx, *bin, *arch)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s bootstrap\n", path, *arch)
		return nil
	}
	tmp, err := os.MkdirTemp("", "loa-package-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path, err := lambdadev.Build(ctx, tmp, *arch)
	if err != nil {
		return err
	}
	if err := lambdadev.Zip(path, *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %.1f MB (%s bootstrap, %d bytes)\n", *out, float64(st.Size())/1e6, *arch, st.Size())
	return nil
}
