package search

import "testing"

// BenchmarkIndex indexes 1,000 generated pages and writes the files.
func BenchmarkIndex(b *testing.B) {
	docs := fillerDocs(1000)
	for b.Loop() {
		x := New()
		for _, d := range docs {
			if err := x.Add(d); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := x.Write(); err != nil {
			b.Fatal(err)
		}
	}
}
