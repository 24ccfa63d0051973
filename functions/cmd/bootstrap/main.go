// Command bootstrap is the form handler as an AWS Lambda function
// (provided.al2023, arm64) behind a Function URL or an HTTP API, payload
// format 2.0. Build it with `make package` (go run ./build package).
//
// Environment (see service.FromEnv): LOA_BUCKET (required), LOA_PREFIX,
// LOA_CLIENT_IP_HEADER (e.g. CloudFront-Viewer-Address), LOA_ORIGIN_SECRET
// (the value CloudFront sends in X-Origin-Verify; without it every request
// is let in), LOA_STAFF_SECRET_HASH (the hash of the staff secret, made by
// command loa-secret; without it the staff routes answer 401 to everyone),
// and the standard AWS variables. For tests and local previews only:
// LOA_S3_ENDPOINT (an S3-compatible server, signed with AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY) and LOA_NOW (the service's clock stops at this
// RFC 3339 instant: the forms' dates and the staff page read it).
//
// The same binary sends the daily digest: an EventBridge schedule's event
// (source aws.events) runs it, through Amazon SES (LOA_DIGEST_FROM, the
// sender; LOA_DIGEST_RECIPIENTS, the only addresses it may go to; for
// tests, LOA_SMTP names an SMTP server instead). A second, more frequent
// schedule keeps the staff exports fast: its rule sends the constant
// input {"loa":"fold"} (service.FoldEvent), and the function folds what
// was stored since the last run into every form's export snapshot
// (Service.FoldExports), within the invocation's time, so that a staff
// export reads only the few submissions stored since; what a run could not
// finish, the next goes on with. Its log line and answer carry counts
// only. Every other event is an HTTP request.
//
// A province's function (LOA_PROVINCE=true) serves every unit of the
// province: a request's unit is named by the header LOA_UNIT_HEADER, which
// CloudFront sets from the viewer's host, and the unit's forms are read
// from the bucket, where publishing the unit writes them
// (service.BucketUnits); the content embedded here is then not used. Its
// schedule's event sends each unit's digest in turn (Service.RunDigests),
// each from the unit's own accounts and counts.
//
// The service is assembled by package service, from the content and
// layouts embedded in the binary; package lambdahttp adapts the events.
// Its test under the Lambda Runtime Interface Emulator is in the build
// tree (build/internal/lambdadev), which builds this command as deployed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"loa/content"
	"loa/functions/digest"
	"loa/functions/lambdahttp"
	"loa/functions/service"
	"loa/site"
)

func main() {
	// JSON lines on stdout: Lambda sends them to CloudWatch Logs as they are.
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(logger)
	svc, err := start(context.Background(), logger)
	if err != nil {
		logger.Error("bootstrap: cannot start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(dispatch(svc, logger))
}

// event is what tells the schedules' events from an HTTP API's: the
// digest's is EventBridge's own (a source and a detail-type), the fold's
// the rule's constant input; an HTTP request has neither.
type event struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Loa        string `json:"loa"`
}

// dispatch is the function Lambda runs: one binary for every event. The
// fold schedule's event folds the exports; the daily schedule's event
// sends the digest, and an error makes Lambda invoke it again (the digests
// already sent are marked, and not sent twice); any other event is an HTTP
// request.
func dispatch(svc *service.Service, logger *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	web := lambdahttp.Wrap(svc.Handler)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var ev event
		decoded := json.Unmarshal(raw, &ev) == nil
		if decoded && ev.Loa == service.FoldEvent && ev.Source == "" {
			return fold(ctx, svc, logger)
		}
		if decoded && ev.Loa != "" {
			// A rule's input this binary does not know: refused, not taken
			// for an HTTP request.
			return nil, fmt.Errorf("bootstrap: an event of %q, want %q (the fold schedule's) or an HTTP request", ev.Loa, service.FoldEvent)
		}
		if decoded && ev.Source == "aws.events" && ev.DetailType == "Scheduled Event" {
			// A ward's digest, or each unit's of a province.
			rep, err := svc.RunDigests(ctx)
			if errors.Is(err, service.ErrNoDigest) {
				logger.Warn("digest: a scheduled event, but no sender is configured (LOA_DIGEST_FROM)")
				return map[string]any{"ok": false, "digest": "not configured"}, nil
			}
			// Lambda keeps a failed invocation's error: no address in it.
			return rep, digest.Redact(err)
		}
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, fmt.Errorf("bootstrap: an event that is neither a schedule's nor an HTTP request: %w", err)
		}
		return web(ctx, req)
	}
}

// fold runs the fold schedule's event: counts in the log and the answer,
// never a row. A run cut short by its time is no error (the next goes on);
// a form or unit that failed is, so that it shows among the function's
// errors.
func fold(ctx context.Context, svc *service.Service, logger *slog.Logger) (service.FoldReport, error) {
	rep, err := svc.FoldExports(ctx)
	attrs := []any{
		slog.Int("forms", rep.Forms), slog.Int("fresh", rep.Fresh),
		slog.Int("cut", rep.Cut), slog.Int("failed", rep.Failed),
	}
	if rep.Units != nil {
		attrs = append(attrs, slog.Int("units", len(rep.Units)))
	}
	if err != nil {
		logger.Error("export: snapshots folded, some not", append(attrs, slog.String("error", err.Error()))...)
		return rep, err
	}
	logger.Info("export: snapshots folded", attrs...)
	return rep, nil
}

func start(ctx context.Context, logger *slog.Logger) (*service.Service, error) {
	cfg, err := service.FromEnv(ctx, os.Getenv)
	if err != nil {
		return nil, err
	}
	cfg.Content, cfg.Layouts, cfg.Logger = content.FS, site.FS(), logger
	if cfg.Now != nil {
		logger.Warn("LOA_NOW is set: the forms' dates and the staff page read a fixed instant", slog.Time("now", cfg.Now()))
	}
	return service.New(cfg)
}
