package redact

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	r := New("s3cr3t-value-1234")
	cases := []struct{ in, mustNot, must string }{
		{"key s3cr3t-value-1234 here", "s3cr3t", Mark},
		{`{"token":"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"}`, "3f2a9c1d", Mark},
		{`{"token": "abcdefnodashes"}`, "abcdefnodashes", Mark},
		{`{"token":"3f2a9c1d-****-****-****-************"}`, "", "3f2a9c1d-****"},
		{"Authorization: Token abcdef0123", "abcdef0123", "Authorization: Token " + Mark},
		{"created 2024-03-27T05:53:27.360Z", "", "2024-03-27T05:53:27.360Z"},
	}
	for _, c := range cases {
		got := r.String(c.in)
		if c.mustNot != "" && strings.Contains(got, c.mustNot) {
			t.Errorf("String(%q) = %q, still holds %q", c.in, got, c.mustNot)
		}
		if !strings.Contains(got, c.must) {
			t.Errorf("String(%q) = %q, want it to hold %q", c.in, got, c.must)
		}
	}
}

func TestNilAndShort(t *testing.T) {
	var r *Redactor
	r.Add("abc")
	if got := r.String("plain text"); got != "plain text" {
		t.Fatalf("got %q", got)
	}
	r2 := New("ab")
	if got := r2.String("abab"); got != "abab" {
		t.Fatalf("short secrets must be ignored, got %q", got)
	}
}
