package config

import (
	"errors"
	"strings"
	"testing"
)

// TestStoreChoice: --store and --insecure-storage over credential_store,
// and the two flags refused when they disagree.
func TestStoreChoice(t *testing.T) {
	for _, tt := range []struct {
		setting, store string
		insecure       bool
		want, err      string
	}{
		{"", "", false, "", ""},
		{"kernel", "", false, "kernel", ""},
		{"kernel", " File ", false, "file", ""},
		{"file", "keyring", false, "keyring", ""},
		{"keyring", "", true, "file", ""},
		{"", "file", true, "file", ""},
		{"", "kernel", true, "", "--insecure-storage is --store file: it cannot go with --store kernel"},
		{"", "vault", false, "", "unknown credential store"},
	} {
		got, err := (&Config{CredentialStore: tt.setting}).StoreChoice(tt.store, tt.insecure)
		var ue *UsageError
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%+v: %q, %v; want %q", tt, got, err, tt.want)
		case tt.err != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%+v: %q, %v; want a usage error with %q", tt, got, err, tt.err)
		}
	}
}
