package cli

import (
	"testing"
	"time"
)

func TestCreatedSince(t *testing.T) {
	start := time.Date(2024, 3, 27, 5, 53, 27, 0, time.UTC)
	for created, want := range map[string]bool{
		"2024-03-27T05:53:27.368Z": true,
		"2024-03-27T05:53:27.000Z": true,
		"2024-03-27T05:53:26.999Z": false,
		"not a time":               true,
	} {
		if got := createdSince(created, start); got != want {
			t.Errorf("createdSince(%q) = %v, want %v", created, got, want)
		}
	}
}
