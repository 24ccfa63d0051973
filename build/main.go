// Command build is Loa's command line: it builds the static site, serves the
// whole system on one machine, and publishes the site to S3.
//
//	go run ./build build [flags]     build content/ into public/ (package sitecmd; also
//	                                 its own lean command, ./build/cmd/site, which make site runs)
//	go run ./build serve [flags]     the whole system on this machine (package serve)
//	go run ./build publish [flags]   sync public/ to the site bucket (package publish)
//	go run ./build codes [NAME ...]  registration codes for the chi đoàn (data/chi-doan.yaml)
//	go run ./build package [flags]   the Lambda bootstrap zip (or binary) to deploy
//	go run ./build import FILE.docx  a Word document as a page bundle (package wordimport)
//	go run ./build mailbox [flags]   a local SMTP server that keeps mail as .eml files (to try the digest)
//
// Run a subcommand with -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"loa/build/publish"
	"loa/build/serve"
	"loa/build/sitecmd"
)

// commands are the subcommands, by name. Each parses its own flags.
var commands = map[string]func(args []string) error{
	"build": sitecmd.Main,
	"serve": serve.Main,
	"publish": func(args []string) error {
		return publish.Main(context.Background(), args)
	},
	"package": runPackage,
	"codes":   runCodes,
	"import":  runImport,
	"mailbox": runMailbox,
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "loa: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the flags were printed
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./build <command> [flags]\n\ncommands:\n  build   build content/ into public/\n  serve   preview the site, forms and staff page on this machine, rebuilt on edits\n  publish sync public/ to the site bucket on S3\n  package build the Lambda bootstrap and its zip for AWS\n  codes   registration codes for the chi đoàn (delegate places)\n  import  a Word document (.docx) as a page under content/\n  mailbox a local mail server that keeps the daily digest as .eml files")
}
