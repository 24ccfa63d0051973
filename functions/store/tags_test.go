package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"loa/functions/s3test"
	"loa/functions/store"
)

// TestUnitObjectsTagged: every object a unit's store writes carries the
// tag of its kind, read from its key (the bucket's lifecycle rules expire
// a province's objects by it), whichever method writes it; a ward's carry
// none, as its bucket expires them by prefix.
func TestUnitObjectsTagged(t *testing.T) {
	ctx := context.Background()
	for _, unit := range []string{"phuong-bach-sam", ""} {
		rec := &recording{}
		base := newFixture(t)
		fx := s3test.New(t, s3test.Options{
			Config: store.Config{Prefix: "p", Unit: unit, Now: func() time.Time { return base.now }},
			Wrap:   func(api store.API) store.API { rec.API = api; return rec },
		})
		st := fx.Store
		rc, err := st.Save(ctx, base.delegate(t, 1))
		if err != nil {
			t.Fatal(err)
		}
		found, err := st.FindByID(ctx, base.dai, rc.ID)
		if err != nil {
			t.Fatal(err)
		}
		do := func(what string, err error) {
			if err != nil {
				t.Fatalf("unit %q: %s: %v", unit, what, err)
			}
		}
		_, err = st.CreateAccount(ctx, store.Account{ID: "quan-tri", Name: "Quản trị", Role: store.RoleManager, Hash: "h"})
		do("account", err)
		_, err = st.Audit(ctx, store.AuditRecord{At: base.now, Who: "quan-tri", Role: store.RoleManager, Action: "export", Status: 200})
		do("audit", err)
		_, err = st.SaveAnswer(ctx, base.dai, found, 0, store.Answer{Status: "da-tra-loi", Text: "Trả lời", By: "Quản trị"})
		do("answer", err)
		_, err = st.SaveMark(ctx, base.dai, found, store.Mark{Out: true})
		do("mark", err)
		_, _, err = st.CheckIn(ctx, store.Checkin{Code: st.CheckinCode("dai-bieu", rc.ID), Form: "dai-bieu", ID: rc.ID})
		do("check-in", err)
		_, _, err = st.AddGuest(ctx, store.Guest{Name: "Khách", Role: "Bí thư"})
		do("guest", err)
		_, err = st.SaveDigestSetting(ctx, store.DigestSetting{Account: "quan-tri", Email: "a@example.com", On: true})
		do("digest", err)
		do("digest sent", st.MarkDigestSent(ctx, "2023-04-10", "quan-tri"))
		do("snapshot", st.PutSnapshot(ctx, "dai-bieu", bytes.NewReader([]byte("x")), 1))
		_, err = st.PutExport(ctx, "dai-bieu", store.ExportFile{Name: "dai-bieu.csv", ContentType: "text/csv", Body: strings.NewReader("x"), Size: 1}, time.Minute)
		do("export", err)

		seen := map[string]bool{}
		prefix := "p/"
		if unit != "" {
			prefix += unit + "/"
		}
		for _, in := range rec.puts {
			key := aws.ToString(in.Key)
			kind := store.KindOf(strings.TrimPrefix(key, prefix))
			if kind == "" {
				t.Errorf("unit %q: %s is of no kind (store.Kinds)", unit, key)
				continue
			}
			tag := aws.ToString(in.Tagging)
			switch {
			case unit == "" && tag != "":
				t.Errorf("a ward's %s is tagged %q, want no tag", key, tag)
			case unit != "" && tag != store.TagKey+"="+kind:
				t.Errorf("unit %s: %s is tagged %q, want %s=%s", unit, key, tag, store.TagKey, kind)
			}
			seen[kind] = true
		}
		for _, k := range store.Kinds {
			if !seen[k] {
				t.Errorf("unit %q: no object of kind %s was written by the steps of this test: add one", unit, k)
			}
		}
	}
}
