package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"loa/build/builder"
	"loa/functions/forms"
	"loa/functions/vntext"
	"loa/site"
)

// runCodes is "codes": registration codes for the chi đoàn, so that only a
// chi đoàn fills its own delegate places.
//
//	codes [--content content] [NAME ...]   new codes for every chi đoàn, or for those named
//	codes --off                             no codes: the form asks for none
//
// It prints each new code once, for the Đoàn phường to hand out, and keeps
// only their hashes in data/chi-doan.yaml (comments and order kept). The
// form handler reads that file from its build: build and deploy again.
func runCodes(args []string) error {
	fl := flag.NewFlagSet("codes", flag.ContinueOnError)
	dir := fl.String("content", "content", "content folder")
	off := fl.Bool("off", false, "remove every code")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *off && fl.NArg() > 0 {
		return fmt.Errorf("codes: --off removes every code; name no chi đoàn")
	}
	return setCodes(os.Stdout, filepath.Join(*dir, "data", "chi-doan.yaml"), fl.Args(), *off)
}

// setCodes gives new codes to the chi đoàn named in only (every one when
// empty), or removes all codes when off, rewriting the list file in place.
func setCodes(w io.Writer, file string, only []string, off bool) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("codes: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("codes: %s: %w", file, err)
	}
	items := mapValue(&doc, "items")
	if items == nil || items.Kind != yaml.SequenceNode {
		return fmt.Errorf("codes: %s: no list \"items\" of chi đoàn", file)
	}
	for i, name := range only {
		only[i] = vntext.Normalize(name)
	}
	type issued struct{ name, code string }
	var out []issued
	seen := map[string]bool{}
	for i, it := range items.Content {
		var name string
		switch it.Kind {
		case yaml.ScalarNode:
			name = it.Value
		case yaml.MappingNode:
			if n := mapValue(it, "name"); n != nil {
				name = n.Value
			}
		}
		name = vntext.Normalize(name)
		if name == "" {
			return fmt.Errorf("codes: %s:%d: a chi đoàn without a name", file, it.Line)
		}
		seen[name] = true
		if off {
			items.Content[i] = &yaml.Node{Kind: yaml.ScalarNode, Value: name, Style: yaml.DoubleQuotedStyle, HeadComment: it.HeadComment, LineComment: it.LineComment}
			continue
		}
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		code := forms.NewCode()
		hash, err := forms.HashCode(code)
		if err != nil {
			return err
		}
		items.Content[i] = &yaml.Node{Kind: yaml.MappingNode, HeadComment: it.HeadComment, LineComment: it.LineComment, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Value: name, Style: yaml.DoubleQuotedStyle},
			{Kind: yaml.ScalarNode, Value: "code"}, {Kind: yaml.ScalarNode, Value: hash, Style: yaml.DoubleQuotedStyle},
		}}
		out = append(out, issued{name, code})
	}
	for _, name := range only {
		if !seen[name] {
			return fmt.Errorf("codes: %s has no chi đoàn %q", file, name)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	enc.Close()
	if err := builder.ReplaceFile(file, buf.Bytes()); err != nil {
		return fmt.Errorf("codes: %w", err)
	}
	// The new list must still load, codes and all, before anyone is told.
	if _, err := forms.Load(os.DirFS(filepath.Dir(filepath.Dir(file))), site.FS()); err != nil {
		return fmt.Errorf("codes: the rewritten list does not load: %w", err)
	}
	if off {
		fmt.Fprintf(w, "Đã bỏ mã đăng ký của mọi chi đoàn trong %s: biểu mẫu đăng ký đại biểu không hỏi mã nữa.\n", file)
	} else {
		fmt.Fprintln(w, "Mã đăng ký mới, chỉ hiện một lần: ghi lại và trao cho Bí thư từng chi đoàn.")
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
		for _, o := range out {
			fmt.Fprintf(tw, "  %s\t%s\n", o.name, o.code)
		}
		tw.Flush()
		fmt.Fprintf(w, "\nĐã lưu mã (chỉ dạng băm) vào %s; mã cũ của các chi đoàn này không dùng được nữa.\n", file)
	}
	fmt.Fprintln(w, "Triển khai lại hàm xử lý biểu mẫu (make deploy) để áp dụng; khi chạy make serve, trang tự cập nhật.")
	return nil
}

// mapValue is the value of key in the mapping n (or the document's root mapping).
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
