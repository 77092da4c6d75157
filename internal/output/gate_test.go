package output

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/itchyny/gojq"
)

func TestTerminalGate(t *testing.T) {
	hostile := "a\x1b]0;owned\x07b \u009b2J \u202eright\u202c \xff\r\n\tz"
	var data, msgs bytes.Buffer
	if n, err := TerminalSafe(&data).Write([]byte(hostile)); err != nil || n != len(hostile) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if want := `a\x1b]0;owned\ab \u009b2J \u202eright\u202c \xff\r` + "\n\tz"; data.String() != want {
		t.Errorf("data gate:\n got %q\nwant %q", data.String(), want)
	}
	// maketoken's own progress and colour controls pass on stderr; no
	// other escape does.
	own := "\rmaketoken: revoked 3 of 40...\r\x1b[K\x1b[1;32m✓\x1b[0m done\n"
	if _, err := TerminalGate(&msgs).Write([]byte(own + hostile)); err != nil {
		t.Fatal(err)
	}
	got := msgs.String()
	if !strings.HasPrefix(got, own) {
		t.Errorf("maketoken's own controls were changed: %q", got)
	}
	if rest := strings.TrimPrefix(got, own); strings.ContainsAny(rest, "\x1b\x07\u009b\u202e\u202c") || strings.Contains(rest, "\xff") {
		t.Errorf("a hostile control passed the gate: %q", rest)
	}
	if Ungated(TerminalGate(&msgs)) != &msgs || Ungated(&msgs) != &msgs {
		t.Error("Ungated does not return the writer under the gate")
	}
}

func jqPrinter(t *testing.T, expr string, ctx context.Context) *Printer {
	t.Helper()
	code, err := ParseJQ(expr)
	if err != nil {
		t.Fatal(err)
	}
	// Small bounds, to keep the test quick; the real ones are 64 and 512 MiB.
	return &Printer{Out: &bytes.Buffer{}, Format: JSON, JQ: code, Ctx: ctx, JQMaxOutput: 1 << 20, JQMaxMemory: 64 << 20}
}

func TestJQEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- jqPrinter(t, "def f: f; f", ctx).Print([]int{1}, Rows{}) }()
	select {
	case err := <-done:
		var jqErr *JQError
		if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &jqErr) {
			t.Fatalf("err = %v, want the deadline (not a usage error)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("an endless filter outlived its context")
	}
}

func TestJQOutputAndMemoryAreBounded(t *testing.T) {
	for _, expr := range []string{
		`range(1e9)`,                  // endless output
		`[range(1e9)] | length`,       // one huge array in memory
		`[repeat("xxxxxxxxxxxxxxx")]`, // the same, of strings
	} {
		done := make(chan error, 1)
		go func() { done <- jqPrinter(t, expr, context.Background()).Print(nil, Rows{}) }()
		select {
		case err := <-done:
			var jqErr *JQError
			if !errors.As(err, &jqErr) || !strings.Contains(err.Error(), "MiB") {
				t.Errorf("%s: err = %v, want a bound", expr, err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s: not stopped", expr)
		}
	}
}

func TestJQStringsOnATerminalAreEscaped(t *testing.T) {
	code, _ := gojq.Compile(mustParse(t, ".[]"))
	var out bytes.Buffer
	p := &Printer{Out: &out, Format: JSON, JQ: code, Terminal: true}
	if err := p.Print([]string{"x\x1b[2J\u009b\u202ey"}, Rows{}); err != nil {
		t.Fatal(err)
	}
	if want := `x\x1b[2J\u009b\u202ey` + "\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	p.JQ = nil
	if err := p.Print(map[string]string{"label": "a\u009bb\u202ec"}, Rows{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\u009b\u202e") || !strings.Contains(out.String(), `a\u009bb\u202ec`) {
		t.Errorf("JSON on a terminal: %q", out.String())
	}
}

func mustParse(t *testing.T, s string) *gojq.Query {
	t.Helper()
	q, err := gojq.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
