//go:build linux

package delivery

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, ctx context.Context, script string, envName string) (Result, string) {
	t.Helper()
	var out bytes.Buffer
	c := &Command{Args: []string{"sh", "-c", script}, Env: os.Environ(), EnvName: envName, Stdout: &out, Stderr: &out, Grace: 500 * time.Millisecond}
	res, err := c.Run(ctx, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	return res, out.String()
}

func TestOutcomes(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	res, _ := run(t, context.Background(), "cat > "+got, "")
	if res.Outcome != Delivered || res.ExitCode != 0 {
		t.Fatalf("cat: %+v", res)
	}
	if b, _ := os.ReadFile(got); string(b) != "s3cret" {
		t.Fatalf("cat got %q", b)
	}
	if res, _ := run(t, context.Background(), "cat >/dev/null; exit 3", ""); res.Outcome != Failed || res.ExitCode != 3 {
		t.Fatalf("exit 3: %+v", res)
	}
	// Stopped before reading: it cannot hold the secret.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if res, _ := run(t, ctx, "sleep 60", ""); res.Outcome != NotRead || !errors.Is(res.Stopped, context.DeadlineExceeded) {
		t.Fatalf("sleep: %+v", res)
	}
	// Stopped after reading: nobody knows.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if res, _ := run(t, ctx2, "read x; sleep 60", ""); res.Outcome != Unknown {
		t.Fatalf("read then sleep: %+v", res)
	}
	// In the environment, it always had it.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel3()
	if res, _ := run(t, ctx3, "sleep 60", "STORE_VALUE"); res.Outcome != Unknown {
		t.Fatalf("env: %+v", res)
	}
	res, out := run(t, context.Background(), `printf '%s|' "$STORE_VALUE"; cat`, "STORE_VALUE")
	if res.Outcome != Delivered || out != "s3cret|" {
		t.Fatalf("env delivery: %+v %q", res, out)
	}
}

// A command that ignores SIGTERM, and leaves a child holding its output,
// is still ended after the grace time.
func TestStopIsForced(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, _ := run(t, ctx, "trap '' TERM; sleep 60 & sleep 60", "")
	if res.Outcome != NotRead || !strings.Contains(res.Describe(), "stopped") {
		t.Fatalf("%+v", res)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("took %v", d)
	}
}
