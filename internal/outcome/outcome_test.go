package outcome

import (
	"errors"
	"fmt"
	"testing"
)

type maybe struct{ unknown bool }

func (m maybe) Error() string        { return "maybe" }
func (m maybe) OutcomeUnknown() bool { return m.unknown }

func TestIsUnknown(t *testing.T) {
	plain := errors.New("refused")
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{plain, false},
		{Unknown(plain), true},
		{fmt.Errorf("storing: %w", Unknown(plain)), true},
		{maybe{unknown: false}, false},
		{fmt.Errorf("x: %w", maybe{unknown: true}), true},
		{errors.Join(plain, fmt.Errorf("y: %w", Unknown(plain))), true},
		{errors.Join(plain, plain), false},
	} {
		if got := IsUnknown(c.err); got != c.want {
			t.Errorf("IsUnknown(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if Unknown(nil) != nil {
		t.Error("Unknown(nil) is not nil")
	}
}
