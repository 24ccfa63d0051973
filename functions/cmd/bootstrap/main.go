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
// tests, LOA_SMTP names an SMTP server instead). Every other event is an
// HTTP request.
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

// event is what tells an EventBridge schedule's event from an HTTP API's:
// only the former has a source and a detail-type.
type event struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// dispatch is the function Lambda runs: one binary for both events. A
// scheduled event (the template's daily schedule) sends the digest, and an
// error makes Lambda invoke it again (the digests already sent are marked,
// and not sent twice); any other event is an HTTP request.
func dispatch(svc *service.Service, logger *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	web := lambdahttp.Wrap(svc.Handler)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var ev event
		if json.Unmarshal(raw, &ev) == nil && ev.Source == "aws.events" && ev.DetailType == "Scheduled Event" {
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
