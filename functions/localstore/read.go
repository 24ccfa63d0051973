package localstore

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/johannesboyne/gofakes3"
)

// plainReads answers the plain read of an object (GET /bucket/key, as the
// SDK's GetObject sends it: no range, no condition, no version, no
// response overrides) from the backend, with the headers gofakes3 would
// send the SDK for it, and hands every other request to gofakes3. An
// export without a snapshot reads every submission this way, and
// gofakes3's router spent more on a read than the backend did: it parses
// the query three times, formats two request ids, sets the CORS and
// override headers and parses the object's dates back to compare them
// with conditions the SDK never sends. A missing object goes to gofakes3
// too, which answers its error.
//
// The answer differs from gofakes3's only in what no client of the store
// reads: it has no x-amz-id-2, Server or CORS header (a browser reaches
// the store only through presigned URLs, which carry a query and go to
// gofakes3). TestPlainReadsAnswerAsGofakes3 compares the two.
type plainReads struct {
	backend gofakes3.Backend
	next    http.Handler
	ids     atomic.Uint64
}

// getObjectQuery is the query the SDK's GetObject sends.
const getObjectQuery = "x-id=GetObject"

func (p *plainReads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.plain(r) {
		p.next.ServeHTTP(w, r)
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	obj, err := p.backend.GetObject(bucket, key, nil)
	if err != nil || obj == nil || obj.IsDeleteMarker || obj.Range != nil {
		if obj != nil {
			obj.Contents.Close()
		}
		p.next.ServeHTTP(w, r)
		return
	}
	defer obj.Contents.Close()
	h := w.Header()
	for k, v := range obj.Metadata {
		h.Set(k, v)
	}
	if obj.VersionID != "" {
		h.Set("X-Amz-Version-Id", string(obj.VersionID))
	}
	h["Etag"] = []string{`"` + hex.EncodeToString(obj.Hash) + `"`}
	h["Accept-Ranges"] = []string{"bytes"}
	h["Content-Length"] = []string{strconv.FormatInt(obj.Size, 10)}
	h["X-Amz-Request-Id"] = []string{strconv.FormatUint(p.ids.Add(1), 16)}
	w.WriteHeader(http.StatusOK)
	smallAnswers{w}.ReadFrom(obj.Contents) // a failed write ends the connection
}

// plain reports whether r is a plain read of an object.
func (p *plainReads) plain(r *http.Request) bool {
	if r.Method != http.MethodGet || (r.URL.RawQuery != "" && r.URL.RawQuery != getObjectQuery) {
		return false
	}
	for _, h := range [...]string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	i := strings.IndexByte(path, '/')
	return i > 0 && i < len(path)-1
}
