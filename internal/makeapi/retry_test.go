package makeapi

import "testing"

func TestRetryEventWhy(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   string
	}{
		{429, "Make's rate limit"},
		{503, "Make answered 503"},
		{0, "no answer from zone eu1"},
	} {
		if got := (RetryEvent{Status: tt.status}).Why("eu1"); got != tt.want {
			t.Errorf("Why(status %d) = %q, want %q", tt.status, got, tt.want)
		}
	}
}
