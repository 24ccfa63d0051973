// Package lambdadev builds the Lambda bootstrap and runs it off AWS, under
// AWS's Lambda Runtime Interface Emulator (aws-lambda-rie, installed by
// `make tools`).
//
// [Build] is the one recipe of the binary: `go run ./build package` (make
// package, and SAM's build-FormsFunction through it), the emulator test of
// this package and the forms benchmark all call it, so that all of them
// test and measure the binary that is deployed.
//
// The emulator starts the bootstrap at the first invoke and serves one
// invoke at a time; it crashes when two overlap, so [Emulator.Invoke]
// serialises them.
package lambdadev

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Package is the import path of the bootstrap command.
const Package = "loa/functions/cmd/bootstrap"

// Arch is the GOARCH of the deployed function (the template's
// Architectures: arm64).
const Arch = "arm64"

// Build compiles the bootstrap for Linux on goarch (Arch on AWS, the
// host's under the emulator) into dir/bootstrap and returns its path. The
// flags are those of the deployed function: no cgo (provided.al2023 has no
// Go toolchain to match), the lambda.norpc tag (the runtime API only: a
// smaller binary), no file paths or VCS stamp (the same source gives the
// same binary, in a checkout or in SAM's copy of it), stripped.
func Build(ctx context.Context, dir, goarch string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("lambdadev: the go command is not on PATH: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("lambdadev: %w", err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false",
		"-ldflags=-s -w", "-o", out, Package)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("lambdadev: go build %s: %w\n%s", Package, err, stderr.Bytes())
	}
	return out, nil
}

// Zip writes the file at bin into a new zip at dst as "bootstrap", mode
// 0755 (Lambda runs it as is), at the best compression. The timestamp is
// fixed so that the same binary gives the same zip.
func Zip(bin, dst string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("lambdadev: %w", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	hdr := &zip.FileHeader{
		Name:     "bootstrap",
		Method:   zip.Deflate,
		Modified: time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC),
	}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("lambdadev: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("lambdadev: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("lambdadev: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("lambdadev: %w", err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("lambdadev: %w", err)
	}
	return nil
}

// FindRIE returns the path of aws-lambda-rie: on PATH, else in GOBIN or
// GOPATH/bin where `go install` puts it.
func FindRIE() (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	var dirs []string
	if goBin, err := exec.LookPath("go"); err == nil {
		out, err := exec.Command(goBin, "env", "GOBIN", "GOPATH").Output()
		if err == nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) == 2 {
				if lines[0] != "" {
					dirs = append(dirs, lines[0])
				}
				for _, p := range filepath.SplitList(lines[1]) {
					dirs = append(dirs, filepath.Join(p, "bin"))
				}
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "aws-lambda-rie")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("aws-lambda-rie (the Lambda Runtime Interface Emulator) is not installed: run make tools")
}

// Emulator is a running aws-lambda-rie with one bootstrap.
type Emulator struct {
	URL     string // the invocations endpoint
	Started time.Time
	cmd     *exec.Cmd
	out     *syncBuffer
	client  *http.Client
	mu      sync.Mutex
	exited  chan struct{}
}

// Start runs rie with bootstrap, both listening on free ports of
// 127.0.0.1, with env added to this process's environment, and returns
// once the emulator accepts connections (the bootstrap itself starts at the
// first invoke). The emulator and the bootstrap share a new process group
// that Close kills.
func Start(rie, bootstrap string, env []string) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	apiAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	rieAddr := fmt.Sprintf("127.0.0.1:%d", ports[1])
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", rieAddr,
		"--runtime-api-address", apiAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	e := &Emulator{
		URL:    "http://" + rieAddr + "/2015-03-31/functions/function/invocations",
		cmd:    cmd,
		out:    out,
		client: &http.Client{Timeout: 30 * time.Second},
		exited: make(chan struct{}),
	}
	e.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("lambdadev: start %s: %w", rie, err)
	}
	go func() { cmd.Wait(); close(e.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", rieAddr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.exited:
			return nil, fmt.Errorf("lambdadev: aws-lambda-rie exited at start:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			e.Close()
			return nil, fmt.Errorf("lambdadev: aws-lambda-rie does not listen on %s:\n%s", rieAddr, out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Invoke sends one event and returns the function's answer. Invokes are
// serialised: the emulator cannot take two at once.
func (e *Emulator) Invoke(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var resp events.APIGatewayV2HTTPResponse
	body, err := e.InvokeRaw(ctx, ev)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return resp, fmt.Errorf("lambdadev: invoke: not a payload 2.0 response: %w: %s", err, body)
	}
	if resp.StatusCode == 0 {
		// A function error ({"errorMessage": ...}) also comes back as 200.
		return resp, fmt.Errorf("lambdadev: invoke: function failed: %s", body)
	}
	return resp, nil
}

// InvokeRaw sends one event of any shape (an EventBridge schedule's, say)
// and returns what the function answered, as JSON; a function error is
// answered too, as {"errorMessage": …}.
func (e *Emulator) InvokeRaw(ctx context.Context, ev any) ([]byte, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	r, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lambdadev: invoke: %w", err)
	}
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("lambdadev: invoke: %w", err)
	}
	if r.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lambdadev: invoke: emulator answered %s: %s", r.Status, body)
	}
	return body, nil
}

// Output is what the emulator and the bootstrap have printed so far: the
// emulator's reports and the function's log lines.
func (e *Emulator) Output() string { return e.out.String() }

// Close kills the emulator and the bootstrap.
func (e *Emulator) Close() {
	if e.cmd.Process != nil {
		syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-e.exited
}

// freePorts asks the kernel for n free ports of 127.0.0.1. They are
// released before the emulator takes them; another process could take one
// in between, which Start then reports.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("lambdadev: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
