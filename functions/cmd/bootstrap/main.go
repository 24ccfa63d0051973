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
// The service is assembled by package service, from the content and
// layouts embedded in the binary; package lambdahttp adapts the events.
// Its test under the Lambda Runtime Interface Emulator is in the build
// tree (build/internal/lambdadev), which builds this command as deployed.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"loa/content"
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
	lambda.Start(lambdahttp.Wrap(svc.Handler))
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
