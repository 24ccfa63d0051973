package builder

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkBuild builds the corpus in $LOA_BENCH_CONTENT (a content folder
// written by "go run ./build/bench site --keep"), for profiling;
// $LOA_BENCH_WORKERS sets the number of workers.
func BenchmarkBuild(b *testing.B) {
	src := os.Getenv("LOA_BENCH_CONTENT")
	if src == "" {
		b.Skip("set LOA_BENCH_CONTENT to a content folder")
	}
	out := filepath.Join(b.TempDir(), "public")
	for i := 0; i < b.N; i++ {
		w, _ := strconv.Atoi(os.Getenv("LOA_BENCH_WORKERS"))
		if _, err := Build(Options{Content: os.DirFS(src), Out: out, Now: now, Workers: w}); err != nil {
			b.Fatal(err)
		}
	}
}
