package builder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"loa/functions/vntext"
)

// TestUntil: a build says until when its output holds: the first instant
// after Now at which a page is published or expires, or a form opens or
// closes; a content tree with no such instant holds for ever.
func TestUntil(t *testing.T) {
	at := func(s string) time.Time {
		v, err := vntext.ParseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name, pages string
		want        time.Time
	}{
		{"timeless", `-- content/thong-bao/a.md --
---
title: "Đã đăng"
date: 2023-04-01
---
`, time.Time{}},
		{"a page to come", `-- content/thong-bao/a.md --
---
title: "Sắp đăng"
date: 2023-04-15
---
-- content/thong-bao/b.md --
---
title: "Đăng sau nữa"
date: 2023-05-01
---
`, at("2023-04-15")},
		{"an expiry before it", `-- content/thong-bao/a.md --
---
title: "Sắp đăng"
date: 2023-04-15
---
-- content/thong-bao/b.md --
---
title: "Sắp hết hạn"
date: 2023-04-01
expiryDate: 2023-04-12T17:00:00+07:00
---
`, at("2023-04-12T17:00:00+07:00")},
		{"a draft does not count", `-- content/thong-bao/a.md --
---
title: "Bản nháp"
date: 2023-04-11
draft: true
---
`, time.Time{}},
		{"a form's closing", `-- content/bieu-mau/_index.md --
---
title: "Biểu mẫu"
---
-- content/bieu-mau/cau-hoi.md --
---
title: "Gửi câu hỏi"
date: 2023-04-01
form:
  id: cau-hoi
  opens: 2023-04-01T00:00:00+07:00
  closes: 2023-04-20T00:00:00+07:00
  topics: ["Việc làm"]
  consent: { version: "1", text: "Tôi đồng ý." }
  publishConsent: { version: "1", text: "Đồng ý công bố." }
  action: "gửi câu hỏi"
  fields:
    - { name: noi_dung, label: "Câu hỏi", kind: textarea, required: true, missing: "Nhập câu hỏi" }
    - { name: dong_y, label: "Đồng ý", kind: consent, required: true, missing: "Đánh dấu vào ô đồng ý" }
    - { name: cong_bo, label: "Đồng ý công bố", kind: publish }
---
-- content/data/chi-doan.yaml --
items: ["Chi đoàn 1"]
-- content/thong-bao/b.md --
---
title: "Đăng sau"
date: 2023-05-01
---
`, at("2023-04-20T00:00:00+07:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// One page always published: a site with nothing to index is refused.
			writeTree(t, dir, archiveFiles(siteYAML+tc.pages+"-- content/gioi-thieu.md --\n---\ntitle: \"Giới thiệu\"\n---\nPhường thử.\n"))
			res, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content", Out: filepath.Join(dir, "public"), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Until.Equal(tc.want) {
				t.Errorf("Until = %v, want %v", res.Until, tc.want)
			}
		})
	}
}
