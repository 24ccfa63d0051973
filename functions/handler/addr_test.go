package handler_test

import (
	"testing"

	"loa/functions/handler"
)

func TestParseAddr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"203.0.113.7:46532", "203.0.113.7"},
		{"203.0.113.7, 10.0.0.1", "203.0.113.7"},
		{"2001:db8::1", "2001:db8::1"},
		{"[2001:db8::1]:46532", "2001:db8::1"},
		{"2001:db8:0:0:0:0:0:1:46532", "2001:db8::1"}, // CloudFront-Viewer-Address, IPv6
		{"2001:db8::1:46532", "2001:db8::1"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"", ""},
		{"unknown", ""},
	} {
		a, ok := handler.ParseAddr(c.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("handler.ParseAddr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
