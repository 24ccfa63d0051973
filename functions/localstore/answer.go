package localstore

import (
	"io"
	"net/http"
	"strconv"
)

// smallAnswers is the response writer gofakes3 answers through. gofakes3
// copies an object's body into the writer with io.Copy, which hands it to
// net/http's ReadFrom: that sends the headers and the first 512 bytes in
// one write, then the rest in another, through a 32 KB buffer taken for
// each answer. A submission is a little more than 512 bytes, so every read
// of one was two writes and 32 KB of garbage. Here a body of a known,
// small length is read whole and written into the server's buffer, to
// leave with its headers in one write; a larger one (a snapshot, an export
// file) goes to net/http's ReadFrom as before.
type smallAnswers struct {
	http.ResponseWriter
}

// smallAnswer is the largest body smallAnswers reads whole.
const smallAnswer = 64 << 10

func (w smallAnswers) ReadFrom(r io.Reader) (int64, error) {
	n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
	if err != nil || n < 0 || n > smallAnswer {
		if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
			return rf.ReadFrom(r)
		}
		return io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
	}
	b := make([]byte, n)
	k, rerr := io.ReadFull(r, b)
	if rerr != nil && rerr != io.ErrUnexpectedEOF {
		return 0, rerr
	}
	k, err = w.ResponseWriter.Write(b[:k])
	if err == nil {
		err = rerr // shorter than it said: net/http ends the connection
	}
	return int64(k), err
}

// Unwrap is for http.ResponseController.
func (w smallAnswers) Unwrap() http.ResponseWriter { return w.ResponseWriter }
