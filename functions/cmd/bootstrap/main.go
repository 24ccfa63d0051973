// Command bootstrap is the form handler as an AWS Lambda function
// (provided.al2023, arm64) behind a Function URL or an HTTP API, payload
// format 2.0. Build it with `make package` (go run ./build package).
//
// Environment: LOA_BUCKET (required), LOA_PREFIX, LOA_CLIENT_IP_HEADER
// (e.g. CloudFront-Viewer-Address), LOA_STAFF_SECRET_HASH (the hash of the
// staff secret, made by command loa-secret; without it the staff routes
// answer 401 to everyone), and the standard AWS variables. For tests and
// local previews only: LOA_S3_ENDPOINT (an S3-compatible server, signed
// with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and LOA_NOW (check the
// forms' dates against this RFC 3339 instant). See package lambdahttp; its
// test under the Lambda Runtime Interface Emulator is in the build tree
// (build/internal/lambdadev), which builds this command as deployed.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"loa/functions/lambdahttp"
)

func main() {
	// JSON lines on stdout: Lambda sends them to CloudWatch Logs as they are.
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(logger)
	fn, err := lambdahttp.New(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("bootstrap: cannot start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(fn)
}
