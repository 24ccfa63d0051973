package site

import "strings"

// Header is one response header and its value.
type Header struct{ Name, Value string }

// SecurityHeaders are the headers every answer of the site carries, pages
// and API alike: the AWS template's response headers policy
// (SecurityHeadersPolicy in build/aws/template.yaml, which a test holds to
// this list) adds them at CloudFront, and serve adds them itself
// (LocalSecurityHeaders). The pages load only same-origin CSS, same-origin
// script files and an SVG icon; they have no inline script or style, and
// forms post to /api/ on the same origin. The policy allows exactly that.
var SecurityHeaders = []Header{
	{"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; manifest-src 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'; upgrade-insecure-requests"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "strict-origin-when-cross-origin"},
	{"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
	{"Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
}

// LocalSecurityHeaders is SecurityHeaders as serve sends them over plain
// HTTP on this machine: the same, less the two that only make sense over
// HTTPS (Strict-Transport-Security, which browsers ignore over HTTP, and
// the CSP's upgrade-insecure-requests, which would send the preview's own
// scripts and styles to an https:// address nobody answers).
func LocalSecurityHeaders() []Header {
	var out []Header
	for _, h := range SecurityHeaders {
		switch h.Name {
		case "Strict-Transport-Security":
			continue
		case "Content-Security-Policy":
			h.Value = strings.TrimSuffix(h.Value, "; upgrade-insecure-requests")
		}
		out = append(out, h)
	}
	return out
}
