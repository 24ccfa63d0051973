package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"slices"
	"strings"

	"loa/build/province"
)

// The hosts of a province: on AWS, CloudFront's router reads each host's
// unit from a KeyValueStore (build/aws/province.yaml, UnitHosts), which
// publishing writes from tinh.yaml: each unit's host (unitURL, or the
// unit's own baseURL) to its slug, and the province page's host
// (baseURL) to province.PageDir. A new unit is served once it is
// published; a unit taken out of the province is taken out of the store,
// and its host answers 404.

// Hosts returns the host → unit entries of p: what the router must read.
func Hosts(p *province.Province) (map[string]string, error) {
	hosts := map[string]string{}
	add := func(rawURL, unit, what string) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Hostname() == "" {
			return fmt.Errorf("%s: %s %q has no host: write the address in full, e.g. https://phuong-bach-sam.hungyen.gov.vn/", p.Dir, what, rawURL)
		}
		h := strings.ToLower(u.Hostname())
		if other, ok := hosts[h]; ok && other != unit {
			return fmt.Errorf("%s: %s and %s have the same host %s: each unit needs its own", p.Dir, other, unit, h)
		}
		hosts[h] = unit
		return nil
	}
	if err := add(p.BaseURL, province.PageDir, "baseURL"); err != nil {
		return nil, err
	}
	for _, u := range p.Units {
		if err := add(u.URL, u.Slug, "the address of "+u.Slug); err != nil {
			return nil, err
		}
	}
	return hosts, nil
}

// HostStore is the key value store the router reads.
type HostStore interface {
	// List returns every entry and the store's version (ETag).
	List(ctx context.Context) (map[string]string, string, error)
	// Update puts and deletes entries in one change, if the store is
	// still at version etag.
	Update(ctx context.Context, etag string, put map[string]string, del []string) error
}

// SyncHosts makes hs hold want and nothing else, in one update, and
// returns how many entries it put and deleted.
func SyncHosts(ctx context.Context, hs HostStore, want map[string]string, dryRun bool, log io.Writer) (put, del int, err error) {
	have, etag, err := hs.List(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("publish: the router's hosts: %w", err)
	}
	puts := map[string]string{}
	var dels []string
	for h, u := range want {
		if have[h] != u {
			puts[h] = u
		}
	}
	for h := range have {
		if _, ok := want[h]; !ok {
			dels = append(dels, h)
		}
	}
	slices.Sort(dels)
	if log != nil {
		for _, h := range slices.Sorted(func(yield func(string) bool) {
			for h := range puts {
				if !yield(h) {
					return
				}
			}
		}) {
			fmt.Fprintf(log, "+ địa chỉ %s → %s\n", h, puts[h])
		}
		for _, h := range dels {
			fmt.Fprintf(log, "- địa chỉ %s (không còn đơn vị nào)\n", h)
		}
	}
	if dryRun || (len(puts) == 0 && len(dels) == 0) {
		return len(puts), len(dels), nil
	}
	if err := hs.Update(ctx, etag, puts, dels); err != nil {
		return 0, 0, fmt.Errorf("publish: the router's hosts: %w", err)
	}
	return len(puts), len(dels), nil
}

// CLIHosts is the KeyValueStore ARN of the stack (its UnitHostsArn
// output), reached through the AWS CLI, which signs the store's requests
// as that API requires (SigV4A), with the same credentials as the rest
// of deploying.
type CLIHosts struct {
	ARN string
	AWS string // the aws command; "aws" when empty
}

func (c CLIHosts) run(ctx context.Context, args ...string) ([]byte, error) {
	bin := c.AWS
	if bin == "" {
		bin = "aws"
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"cloudfront-keyvaluestore"}, append(args, "--kvs-arn", c.ARN, "--output", "json")...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("aws cloudfront-keyvaluestore %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (c CLIHosts) List(ctx context.Context) (map[string]string, string, error) {
	out, err := c.run(ctx, "describe-key-value-store")
	if err != nil {
		return nil, "", err
	}
	var d struct{ ETag string }
	if err := json.Unmarshal(out, &d); err != nil || d.ETag == "" {
		return nil, "", fmt.Errorf("aws cloudfront-keyvaluestore describe-key-value-store: no ETag in %s", out)
	}
	if out, err = c.run(ctx, "list-keys"); err != nil {
		return nil, "", err
	}
	var l struct{ Items []struct{ Key, Value string } }
	if err := json.Unmarshal(out, &l); err != nil {
		return nil, "", fmt.Errorf("aws cloudfront-keyvaluestore list-keys: %w", err)
	}
	m := map[string]string{}
	for _, it := range l.Items {
		m[it.Key] = it.Value
	}
	return m, d.ETag, nil
}

func (c CLIHosts) Update(ctx context.Context, etag string, put map[string]string, del []string) error {
	type kv struct {
		Key   string
		Value string `json:",omitempty"`
	}
	var puts, dels []kv
	for k, v := range put {
		puts = append(puts, kv{k, v})
	}
	for _, k := range del {
		dels = append(dels, kv{Key: k})
	}
	args := []string{"update-keys", "--if-match", etag}
	if len(puts) > 0 {
		b, _ := json.Marshal(puts)
		args = append(args, "--puts", string(b))
	}
	if len(dels) > 0 {
		b, _ := json.Marshal(dels)
		args = append(args, "--deletes", string(b))
	}
	if len(puts)+len(dels) == 0 {
		return errors.New("nothing to update")
	}
	_, err := c.run(ctx, args...)
	return err
}
