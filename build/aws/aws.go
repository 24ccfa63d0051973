// Package aws holds Loa's AWS deployment, described in one AWS SAM template
// (template.yaml): the site in a private S3 bucket behind CloudFront, the
// form handler as a Lambda behind an HTTP API on the same CloudFront domain
// under /api/*, and the submissions in a private, versioned bucket whose
// lifecycle deletes them after RetentionDays. samconfig.toml holds the SAM
// CLI's settings; `make deploy` runs SAM from this folder. waf.yaml is an
// optional AWS WAF web ACL for the distribution, a stack of its own.
// province.yaml is the same stack made for a province: one of each for all
// its units, a prefix per unit in both buckets, and a CloudFront Function
// that reads each host's unit from a KeyValueStore.
//
// The Go side is only the template itself, embedded so that the tests here
// read exactly what SAM deploys.
package aws

import _ "embed"

// Template is template.yaml.
//
//go:embed template.yaml
var Template []byte

// ProvinceTemplate is province.yaml, the stack of a province: every unit
// in one site bucket, one submissions bucket, one function and one
// distribution that maps each host to its unit.
//
//go:embed province.yaml
var ProvinceTemplate []byte

// WAFTemplate is waf.yaml, the optional web ACL, deployed on its own in
// us-east-1 (where AWS WAF makes web ACLs for CloudFront).
//
//go:embed waf.yaml
var WAFTemplate []byte
