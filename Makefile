# Loa: the two commands a newcomer runs are `make serve` and `make test`.
GO       ?= go
ADDR     ?= 127.0.0.1:8080
TOOLS    := build/tools
GOBIN    := $(shell $(GO) env GOPATH)/bin
RIE      := $(GOBIN)/aws-lambda-rie
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
# nodynamic: the WebP encoder is the WebAssembly libwebp that its module
# ships, never a libwebp installed on the machine, so that every machine
# writes the same bytes for the same photo. The builder refuses to process
# photos with a system libwebp, and a test fails without the tag. (package
# builds the Lambda, which has no photos to process.)
TAGS     := nodynamic
# PROVINCE names a province folder (tinh.yaml and one content folder per
# unit, e.g. PROVINCE=don-vi, the example): `make site` and `make serve`
# then build and serve every unit of it instead of content/.
PROVINCE ?=
PROVINCE_FLAGS := $(if $(PROVINCE),--province $(PROVINCE))

.PHONY: all site serve test test-short test-go tools fuzz bench bench-site bench-forms bench-export bench-reload bench-images bench-search bench-province package publish deploy vet fmt clean

all: site

## site: build the static site into public/ (PROVINCE=don-vi: every unit into public/<unit>/, and the province page)
site:
	$(GO) run -tags $(TAGS) ./build/cmd/site $(PROVINCE_FLAGS)

## serve: the whole system on one machine (site, forms, staff page, local S3 store in .data/);
## PROVINCE=don-vi: every unit at http://<unit>.localhost:8080/, the province page at http://localhost:8080/
serve:
	$(GO) run -tags $(TAGS) ./build serve --addr $(ADDR) $(PROVINCE_FLAGS) $(SERVE_FLAGS)

## test: every test, after installing the tools the tests drive; nothing is skipped
test: tools vet
	$(GO) test -tags $(TAGS) -count=1 -timeout 40m ./...
	$(MAKE) fuzz

## test-short: the quick loop while working, well under a minute on two cores: every test
## but those that drive Chromium, Java, pandoc, cfn-lint or the Lambda emulator, and a few
## slow ones (they call t.Skip only under -short); needs none of those tools
test-short: vet
	$(GO) test -tags $(TAGS) -short ./...

vet:
	@test -z "$$(gofmt -l build functions site content)" || { echo "gofmt needed:"; gofmt -l build functions site content; exit 1; }
	$(GO) vet -tags $(TAGS) ./...

fmt:
	gofmt -w build functions site content

## tools: Chromium, poppler-utils, zbar-tools, pandoc and LibreOffice Writer (Debian), the Nu Html Checker, axe-core and Pagefind (npm), the Lambda Runtime Interface Emulator (Go);
## checks for Java, Node.js and cfn-lint (AWS's template linter, from pip)
tools: $(TOOLS)/node_modules/.installed $(RIE)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: install Debian's chromium package"; exit 1; fi; }
	@command -v pdftotext >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; \
	  else echo "pdftotext is missing: install Debian's poppler-utils package"; exit 1; fi; }
	@command -v zbarimg >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zbar-tools; \
	  else echo "zbarimg is missing: install Debian's zbar-tools package (it reads the QR codes of the printed invitations)"; exit 1; fi; }
	@command -v pandoc >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pandoc; \
	  else echo "pandoc is missing: install Debian's pandoc package (the Word import reads its output)"; exit 1; fi; }
	@command -v soffice >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui fonts-liberation2; \
	  else echo "LibreOffice is missing: install Debian's libreoffice-writer-nogui and fonts-liberation2 packages (the office's Word files are rendered to PDF)"; exit 1; fi; }
	@command -v java >/dev/null || { echo "Java is missing: install Debian's default-jre-headless"; exit 1; }
	@command -v node >/dev/null || { echo "Node.js is missing: install Debian's nodejs and npm"; exit 1; }
	@command -v cfn-lint >/dev/null || { echo "cfn-lint is missing: install it with pip install cfn-lint"; exit 1; }

$(TOOLS)/node_modules/.installed: $(TOOLS)/package.json $(TOOLS)/package-lock.json
	cd $(TOOLS) && npm ci --no-audit --no-fund
	touch $@

$(RIE):
	$(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

## fuzz: a short run of each fuzz target, bounded by a count of inputs (not by time, which a busy machine stretches)
fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 150000x ./functions/forms

## bench: every benchmark, each printing ratios against its peer
bench: bench-site bench-forms bench-export bench-reload bench-images bench-search bench-province

bench-site:
	$(GO) run -tags $(TAGS) ./build/bench site

## bench-forms: the ward's form handler under load, its Lambda zip and cold start; then a province's:
## questions to 104 units at once while staff of two list and export (≥ 2,500/s, p99 ≤ 50 ms,
## none lost, none under the wrong unit, no row of another unit handed to staff), against one ward
bench-forms:
	$(GO) run -tags $(TAGS) ./build/bench forms
	$(GO) run -tags $(TAGS) ./build/bench province-forms

## bench-export: 10,000 and 100,000 stored questions to CSV and XLSX beside the form
## service as make serve runs it: cold (the first export, from the snapshot the service
## kept fresh), repeated, rebuilt (no snapshot: every object read, the rare path) and
## after 1% more stored by another process (target ≤ 10 s)
bench-export:
	$(GO) run -tags $(TAGS) ./build/bench export

## bench-reload: serve's one-page rebuild on a 10,000-page site (target ≤ 50 ms)
bench-reload:
	$(GO) run -tags $(TAGS) ./build/bench reload

## bench-images: 12 phone photos (4000×3000 JPEG) through the image pipeline against Hugo's,
## cold and warm caches (targets: cold ≤ Hugo's time, warm ≤ 0.1× Hugo's cold, peak memory ≤ Hugo's)
bench-images:
	$(GO) run -tags $(TAGS) ./build/bench images

## bench-province: 104 units of 300 pages built from scratch against Hugo building the same
## 104 sites (target ≤ 0.5×), and after one page of one unit changed (target ≤ 1 s); peak memory
bench-province:
	$(GO) run -tags $(TAGS) ./build/bench province $(PROVINCE_BENCH_FLAGS)

## bench-search: the search index of 10,000 pages against Pagefind: build time and memory, size,
## bytes and time of a first query in Chromium, 4x CPU throttling (SEARCH_FLAGS=--pages 1000 for a quick run)
bench-search:
	$(GO) run -tags $(TAGS) ./build/bench search $(SEARCH_FLAGS)

## package: the arm64 Lambda bootstrap zip in dist/ (the build flags live in
## build/internal/lambdadev; zipped in Go, so the zip tool is not needed)
package:
	$(GO) run ./build package -o dist/bootstrap.zip

clean:
	rm -rf public dist

## build-FormsFunction: SAM's makefile build method (called by `sam build`, which sets ARTIFACTS_DIR)
.PHONY: build-FormsFunction
build-FormsFunction:
	$(GO) run ./build package -bin $(ARTIFACTS_DIR)

STACK ?= loa
# The site bucket: given, or read from the stack's outputs.
SITE_BUCKET ?= $(shell aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='SiteBucketName'].OutputValue" --output text 2>/dev/null | grep -v '^None$$')

# The stack's template: a ward's, or with PROVINCE a province's (every unit in one stack).
TEMPLATE := $(if $(PROVINCE),province.yaml,template.yaml)

## deploy: build and deploy the stack with SAM (guided the first time), then publish the site;
## PROVINCE=don-vi: the province's stack (build/aws/province.yaml), then every unit
deploy:
	cd build/aws && sam build --template-file $(TEMPLATE)
	cd build/aws && if aws cloudformation describe-stacks --stack-name $(STACK) >/dev/null 2>&1; then \
	  sam deploy --stack-name $(STACK); else sam deploy --guided --stack-name $(STACK); fi
	$(MAKE) publish

# A province's units' forms go to the submissions bucket, under the function's key prefix.
DATA_BUCKET ?= $(shell aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='SubmissionsBucketName'].OutputValue" --output text 2>/dev/null | grep -v '^None$$')
DATA_PREFIX ?= $(shell aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Parameters[?ParameterKey=='KeyPrefix'].ParameterValue" --output text 2>/dev/null | grep -v '^None$$')
# The CloudFront KeyValueStore the province's router reads each host's unit from.
HOSTS_KVS ?= $(shell aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='UnitHostsArn'].OutputValue" --output text 2>/dev/null | grep -v '^None$$')

## publish: build public/ and sync it to the site bucket (PUBLISH_FLAGS=--dry-run to look first);
## PROVINCE=don-vi: the units that changed since they were last published, and each one's forms for the function
publish: site
	@test -n "$(SITE_BUCKET)" || { echo "publish: no site bucket: deploy the stack '$(STACK)' first, or set SITE_BUCKET"; exit 1; }
	$(GO) run -tags $(TAGS) ./build publish --bucket $(SITE_BUCKET) --dir public \
	  $(if $(PROVINCE),--province $(PROVINCE) --data-bucket "$(DATA_BUCKET)" --data-prefix "$(DATA_PREFIX)" $(if $(HOSTS_KVS),--hosts "$(HOSTS_KVS)")) $(PUBLISH_FLAGS)
