package handler_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func markRequest(id string, body string) *http.Request {
	r := httptest.NewRequest("PUT", "/api/marks/cau-hoi/"+id, strings.NewReader(body))
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Loa-Staff", staffSecret)
	r.RemoteAddr = "198.51.100.21:4000"
	return r
}

type compileJSON struct {
	Items []struct {
		ID, Question, Group string
		Out                 bool
		Into                string
	}
	Similar []struct {
		A, B  string
		Score float64
	}
	Entries, Askers int
}

// Staff see two questions that differ only in marks side by side, merge
// them, leave one out, and download the compiled questions: one entry
// that counts two askers, no phone, names only when asked for.
func TestCompileQuestions(t *testing.T) {
	e, names, ids := newStaffEnv(t)
	v := question(1)
	v.Set("noi_dung", "Phường có mở lớp kỹ năng số cho thanh niên không?")
	_, a := e.submitCode(v)
	v = question(2)
	v.Set("noi_dung", "phuong co mo lop ky nang so cho thanh nien khong")
	_, b := e.submitCode(v)
	v = question(3)
	v.Set("noi_dung", "Bán xe máy cũ, liên hệ 0912345678")
	_, off := e.submitCode(v)

	list := func() compileJSON {
		t.Helper()
		ans := e.do(staffRequest("GET", "/api/compile", staffSecret, "198.51.100.21:4000"))
		if ans.code != 200 {
			t.Fatalf("compile list: %d %s", ans.code, ans.body)
		}
		for _, n := range names {
			if strings.Contains(ans.body, n) {
				t.Errorf("the list holds a name: %s", n)
			}
		}
		var c compileJSON
		json.Unmarshal([]byte(ans.body), &c)
		return c
	}
	c := list()
	if len(c.Items) != 4 || c.Entries != 4 {
		t.Fatalf("list: %+v", c)
	}
	if len(c.Similar) != 1 || !(c.Similar[0].A == a && c.Similar[0].B == b || c.Similar[0].A == b && c.Similar[0].B == a) {
		t.Errorf("look-alikes: %+v, want %s and %s", c.Similar, a, b)
	}
	for _, req := range []struct {
		id, body string
		code     int
	}{
		{b, `{"into":"` + a + `"}`, 200},
		{off, `{"out":true}`, 200},
		{a, `{"into":"` + a + `"}`, 400},
		{a, `{"into":"ffffffffffff"}`, 404},
		{"ffffffffffff", `{}`, 404},
		{a, `{`, 400},
	} {
		if ans := e.do(markRequest(req.id, req.body)); ans.code != req.code {
			t.Errorf("mark %s %s: %d %s, want %d", req.id, req.body, ans.code, ans.body, req.code)
		}
	}
	c = list()
	if c.Entries != 2 || c.Askers != 3 || len(c.Similar) != 0 {
		t.Errorf("after marks: %d entries, %d askers, look-alikes %v", c.Entries, c.Askers, c.Similar)
	}

	for _, withNames := range []bool{false, true} {
		path := "/api/compile/cau-hoi"
		if withNames {
			path += "?ten=1"
		}
		ans := e.do(staffRequest("GET", path, staffSecret, "198.51.100.21:4000"))
		var link struct {
			URL, File string
			Rows      int
		}
		json.Unmarshal([]byte(ans.body), &link)
		if ans.code != 200 || !strings.HasPrefix(link.File, "tong-hop-cau-hoi-") || !strings.HasSuffix(link.File, ".docx") || link.Rows != 2 {
			t.Fatalf("compile: %d %s", ans.code, ans.body)
		}
		res, err := http.Get(link.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		doc := documentText(t, body)
		if !strings.Contains(doc, "2 người hỏi") || strings.Contains(doc, "xe máy") || strings.Contains(doc, "0912345678") || strings.Contains(doc, "0987654321") {
			t.Errorf("names %v: the document reads %s", withNames, doc)
		}
		if strings.Contains(doc, names[0]) != withNames {
			t.Errorf("names %v: name shown %v", withNames, !withNames)
		}
	}
	_ = ids
	if strings.Contains(e.logs.String(), names[0]) || strings.Contains(e.logs.String(), "kỹ năng") {
		t.Error("the log holds a name or a question")
	}
}

// documentText is the XML of a .docx's body.
func documentText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a .docx: %v", err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			defer rc.Close()
			x, _ := io.ReadAll(rc)
			return string(x)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}
