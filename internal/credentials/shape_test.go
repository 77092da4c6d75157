package credentials

import (
	"strings"
	"testing"
)

func TestCheckTokenShape(t *testing.T) {
	for _, tt := range []struct {
		token string
		want  string // "" = accepted; else part of the error
	}{
		{"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", ""},
		{"", "empty"},
		{strings.Repeat("a", 512), ""},
		{strings.Repeat("a", 513), "too long"},
		{"3f2a 9c1d", "spaces or control"},
		{"3f2a\x1b[2J", "spaces or control"},
		{"3f2a\x7f", "spaces or control"},
	} {
		err := CheckTokenShape(tt.token)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckTokenShape(%q) = %v, want it accepted", tt.token, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckTokenShape(%q) = %v, want %q", tt.token, err, tt.want)
		}
	}
}
