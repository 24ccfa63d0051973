// Package publish syncs the built site (public/) to the S3 bucket that
// CloudFront serves, like `hugo deploy`: every file becomes one object whose
// key is its path under the site folder (after an optional prefix), with the
// Content-Type and Cache-Control a browser and CloudFront need.
//
// Only what changed is sent. A file is unchanged when the object's ETag is
// the file's MD5 (true of every single-part upload to a bucket encrypted
// with SSE-S3, which the template sets); when the ETag is not a plain MD5
// (multipart, KMS) the SHA-256 kept in the object's metadata is compared
// instead. Objects under the prefix that no longer have a file are deleted,
// so a removed page disappears from the site. --dry-run lists the changes
// and makes none.
//
// Cache-Control by kind of file:
//
//	assets/name.<hex hash>.ext   public, max-age=31536000, immutable (a change is a new name)
//	.html .xml .txt .json        public, max-age=300 (a new announcement shows within minutes)
//	anything else                public, max-age=86400
package publish

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// API is the part of *s3.Client that Sync uses.
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Options say what to sync where.
type Options struct {
	Bucket string
	Dir    string // the built site; "public" when empty
	Prefix string // key prefix in the bucket, e.g. "site/"; may be empty
	DryRun bool   // report what would change, change nothing
	Force  bool   // upload every file, e.g. after the header rules changed
	// Log receives one line per change ("+ key", "- key"); nil: no lines.
	Log io.Writer
	// Workers is the number of concurrent uploads; 0 means 8.
	Workers int
}

// Result counts what a sync did (or, in a dry run, would do).
type Result struct {
	Uploaded  int
	Unchanged int
	Deleted   int
	Bytes     int64 // bytes uploaded
	Elapsed   time.Duration
	DryRun    bool
}

// String is the summary line.
func (r Result) String() string {
	s := fmt.Sprintf("publish: %d uploaded, %d unchanged, %d deleted, %d bytes, %d ms",
		r.Uploaded, r.Unchanged, r.Deleted, r.Bytes, r.Elapsed.Milliseconds())
	if r.DryRun {
		s += " (dry run: nothing changed)"
	}
	return s
}

// MetaSHA256 is the object metadata key holding the file's SHA-256 (hex).
const MetaSHA256 = "sha256"

// file is one file of the site, read whole: sites are small, and S3 (and
// the local store) need a seekable body anyway.
type file struct {
	key         string
	data        []byte
	md5         string
	sha256      string
	contentType string
	cacheCtl    string
}

type remote struct {
	etag string // without quotes
}

// Sync makes the bucket hold exactly the files of opt.Dir under opt.Prefix.
func Sync(ctx context.Context, api API, opt Options) (Result, error) {
	start := time.Now()
	res := Result{DryRun: opt.DryRun}
	if opt.Bucket == "" {
		return res, errors.New("publish: no bucket given (--bucket)")
	}
	if opt.Dir == "" {
		opt.Dir = "public"
	}
	if opt.Prefix != "" && !strings.HasSuffix(opt.Prefix, "/") {
		opt.Prefix += "/"
	}
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	logf := func(format string, args ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format+"\n", args...)
		}
	}

	local, err := readDir(opt.Dir, opt.Prefix)
	if err != nil {
		return res, err
	}
	if len(local) == 0 {
		// An empty folder would delete the whole site: refuse instead.
		return res, fmt.Errorf("publish: %s has no files: build the site first (make site)", opt.Dir)
	}
	objects, err := list(ctx, api, opt.Bucket, opt.Prefix)
	if err != nil {
		return res, err
	}

	var uploads []*file
	for _, f := range local {
		obj, ok := objects[f.key]
		switch {
		case opt.Force || !ok:
			uploads = append(uploads, f)
		default:
			same, err := unchanged(ctx, api, opt.Bucket, f, obj)
			if err != nil {
				return res, err
			}
			if same {
				res.Unchanged++
			} else {
				uploads = append(uploads, f)
			}
		}
	}
	var stale []string
	for key := range objects {
		if _, ok := local[key]; !ok {
			stale = append(stale, key)
		}
	}
	sort.Slice(uploads, func(i, j int) bool { return uploads[i].key < uploads[j].key })
	sort.Strings(stale)

	for _, f := range uploads {
		logf("+ %s (%s, %s)", f.key, f.contentType, f.cacheCtl)
		res.Uploaded++
		res.Bytes += int64(len(f.data))
	}
	for _, key := range stale {
		logf("- %s", key)
		res.Deleted++
	}
	if opt.DryRun {
		res.Elapsed = time.Since(start)
		return res, nil
	}

	// Uploads before deletions: a page is never missing a stylesheet it
	// names while the sync runs.
	if err := parallel(ctx, opt.Workers, len(uploads), func(ctx context.Context, i int) error {
		return put(ctx, api, opt.Bucket, uploads[i])
	}); err != nil {
		return res, err
	}
	if err := parallel(ctx, opt.Workers, len(stale), func(ctx context.Context, i int) error {
		_, err := api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &opt.Bucket, Key: &stale[i]})
		if err != nil {
			return fmt.Errorf("publish: delete s3://%s/%s: %w", opt.Bucket, stale[i], err)
		}
		return nil
	}); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// readDir reads every regular file under dir, keyed by its S3 key. Names
// starting with a dot (editor and OS droppings) are not part of the site.
func readDir(dir, prefix string) (map[string]*file, error) {
	files := map[string]*file{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		m := md5.Sum(data)
		s := sha256.Sum256(data)
		files[prefix+name] = &file{
			key:         prefix + name,
			data:        data,
			md5:         hex.EncodeToString(m[:]),
			sha256:      hex.EncodeToString(s[:]),
			contentType: ContentType(name, data),
			cacheCtl:    CacheControl(name),
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publish: read %s: %w", dir, err)
	}
	return files, nil
}

func list(ctx context.Context, api API, bucket, prefix string) (map[string]remote, error) {
	objects := map[string]remote{}
	in := &s3.ListObjectsV2Input{Bucket: &bucket}
	if prefix != "" {
		in.Prefix = &prefix
	}
	p := s3.NewListObjectsV2Paginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("publish: list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			objects[aws.ToString(o.Key)] = remote{etag: strings.Trim(aws.ToString(o.ETag), `"`)}
		}
	}
	return objects, nil
}

var plainMD5 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// unchanged reports whether the object already holds f's bytes.
func unchanged(ctx context.Context, api API, bucket string, f *file, obj remote) (bool, error) {
	if etag := strings.ToLower(obj.etag); plainMD5.MatchString(etag) {
		return etag == f.md5, nil
	}
	out, err := api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &f.key})
	if err != nil {
		return false, fmt.Errorf("publish: head s3://%s/%s: %w", bucket, f.key, err)
	}
	return out.Metadata[MetaSHA256] == f.sha256, nil
}

func put(ctx context.Context, api API, bucket string, f *file) error {
	_, err := api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &bucket,
		Key:           &f.key,
		Body:          bytes.NewReader(f.data),
		ContentLength: aws.Int64(int64(len(f.data))),
		ContentType:   &f.contentType,
		CacheControl:  &f.cacheCtl,
		Metadata:      map[string]string{MetaSHA256: f.sha256},
	})
	if err != nil {
		return fmt.Errorf("publish: upload s3://%s/%s: %w", bucket, f.key, err)
	}
	return nil
}

// parallel runs fn for 0..n-1 on at most workers goroutines and returns the
// first error; after one, the work not yet started is skipped.
func parallel(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := 0; i < n && gctx.Err() == nil; i++ {
		g.Go(func() error { return fn(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// The parent was cancelled, not a task.
	return context.Cause(ctx)
}

// contentTypes is fixed here rather than read from the system's MIME
// table, which differs between machines: the same site must publish the
// same headers from any computer.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".xml":         "application/xml; charset=utf-8",
	".txt":         "text/plain; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".pdf":         "application/pdf",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".doc":         "application/msword",
	".docx":        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":         "application/vnd.ms-excel",
	".xlsx":        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".zip":         "application/zip",
}

// ContentType is the Content-Type a file of the site is served with. XML
// files that are Atom feeds say so, so that feed readers and browsers know
// them.
func ContentType(name string, data []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == ".xml" && isAtom(data) {
		return "application/atom+xml; charset=utf-8"
	}
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func isAtom(data []byte) bool {
	head := data[:min(len(data), 1024)]
	return bytes.Contains(head, []byte("<feed")) && bytes.Contains(head, []byte("http://www.w3.org/2005/Atom"))
}

// fingerprinted matches the asset names the site package makes:
// assets/<stem>.<hex of the content hash>.<ext>.
var fingerprinted = regexp.MustCompile(`^assets/(?:.*/)?[^/]+\.[0-9a-f]{8,}\.[A-Za-z0-9]+$`)

// Cache-Control values, by kind of file.
const (
	CacheImmutable = "public, max-age=31536000, immutable"
	CacheShort     = "public, max-age=300"
	CacheDay       = "public, max-age=86400"
)

// CacheControl is the Cache-Control a file of the site is served with;
// name is its path relative to the site folder, with forward slashes.
func CacheControl(name string) string {
	if fingerprinted.MatchString(name) {
		return CacheImmutable
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".xml", ".txt", ".json", ".webmanifest":
		return CacheShort
	}
	return CacheDay
}
