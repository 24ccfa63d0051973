package serve

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"unicode"

	"loa/functions/routes"
	"loa/site"
)

// routes are those of the deployed site: /api/ and /hoi-dap/ (the
// published answers, which the handler reads from the store) go to the
// form handler, everything else is a file of the built site. /_loa/ is the
// preview's own.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(w http.ResponseWriter, r *http.Request) {
		(*s.api.Load()).ServeHTTP(w, r)
	}
	mux.HandleFunc("/api/", api)
	mux.HandleFunc(routes.PublicPage, api)
	mux.HandleFunc(strings.TrimSuffix(routes.PublicPage, "/"), api)
	if s.reload != nil {
		mux.Handle("/_loa/reload", s.reload)
		mux.HandleFunc(site.LiveReloadScript, serveReloadScript)
	}
	mux.HandleFunc("/", s.static)
	headers := site.LocalSecurityHeaders()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The headers CloudFront adds on AWS, on every answer here too.
		for _, h := range headers {
			w.Header().Set(h.Name, h.Value)
		}
		mux.ServeHTTP(w, r)
	})
}

// static answers as CloudFront does in front of the site bucket (see the
// pretty-urls function of build/aws/template.yaml): /a/ is a/index.html, a
// path whose last part has no dot is sent to the same path with a slash,
// anything else is the file itself; a missing file is 404.html with 404.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Chỉ nhận GET và HEAD.", http.StatusMethodNotAllowed)
		return
	}
	if msg := s.firstErr.Load(); msg != nil {
		// A unit of a province whose site never built: say why, here
		// where the person who can mend it looks.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "Trang của đơn vị này chưa dựng được. Sửa lỗi dưới đây rồi lưu tệp: trang tự dựng lại.\n\n%s\n", *msg)
		return
	}
	p, ok := sitePath(r.URL.Path)
	if !ok {
		// No file of the site has such a name, and a redirect to it could
		// take the browser to another host: "/\evil.example/" is read as
		// "//evil.example/".
		w.Header().Set("Cache-Control", "no-cache")
		if !s.serveFile(w, r, "/404.html", http.StatusNotFound) {
			http.NotFound(w, r)
		}
		return
	}
	name := p
	switch {
	case strings.HasSuffix(p, "/"):
		name = p + "index.html"
	case !strings.Contains(path.Base(p), "."):
		u := p + "/"
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, u, http.StatusMovedPermanently)
		return
	}
	// The preview changes with every edit: browsers must ask again.
	w.Header().Set("Cache-Control", "no-cache")
	if s.serveFile(w, r, name, http.StatusOK) {
		return
	}
	if !s.serveFile(w, r, "/404.html", http.StatusNotFound) {
		http.NotFound(w, r)
	}
}

// sitePath checks a request's path before it is looked up or redirected
// to: a backslash or a control character is refused (ok false), and runs of
// slashes become one, so that the path stays on this host ("//evil.example"
// would be a host to a browser).
func sitePath(p string) (clean string, ok bool) {
	for _, r := range p {
		if r == '\\' || unicode.IsControl(r) {
			return "", false
		}
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p, true
}

// serveFile writes the built file at the URL path name with code, and
// reports whether there was one. Hidden files (the builder's temporary
// ones) are never served, and the file is opened inside the built site
// (os.OpenInRoot): a symbolic link there that leads out of it is not
// followed.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string, code int) bool {
	clean := path.Clean("/" + name)
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	f, err := os.OpenInRoot(s.Out, strings.TrimPrefix(clean, "/"))
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		return false
	}
	if code == http.StatusOK {
		http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
		return true
	}
	b, err := readAll(f)
	if err != nil {
		return false
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
	return true
}

func readAll(f fs.File) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(f)
	return b.Bytes(), err
}
