package search

import (
	"fmt"
	"testing"
)

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

// BenchmarkPutWrite is serve's rebuild of one page: one page of 10,000
// put again and the index written (the other shards' compression kept).
func BenchmarkPutWrite(b *testing.B) {
	docs := fillerDocs(10000)
	x := New()
	for _, d := range docs {
		if err := x.Add(d); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := x.Write(); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		d := docs[5000]
		d.Body += fmt.Sprintf(" sửa lần %d", i)
		i++
		if err := x.Put(d); err != nil {
			b.Fatal(err)
		}
		if _, err := x.Write(); err != nil {
			b.Fatal(err)
		}
	}
}
