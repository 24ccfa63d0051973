// Command loa-secret makes the staff secret and the hash to configure:
//
//	go run ./functions/cmd/loa-secret       a new random secret and its hash
//	go run ./functions/cmd/loa-secret -     the hash of the secret read from standard input
//
// It prints the argon2id hash as the line to give the function (or serve)
// as LOA_STAFF_SECRET_HASH; the secret goes to the staff.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"loa/functions/staff"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loa-secret:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	secret := ""
	switch {
	case len(args) == 1 && args[0] == "-":
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading the secret from standard input: %w", err)
		}
		secret = strings.TrimSpace(line)
	case len(args) == 0:
		secret = staff.NewSecret()
		fmt.Fprintf(stdout, "Mã quản trị mới (đưa cho cán bộ, không gửi qua email công khai):\n\n  %s\n\n", secret)
	default:
		return errors.New("usage: loa-secret [-]   (no argument: make a new secret; -: read it from standard input)")
	}
	h, err := staff.HashSecret(secret)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Cấu hình cho hàm xử lý (biến môi trường):\n\n  %s='%s'\n", staff.EnvHash, h)
	return nil
}
