package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// Bulk under a rate limit: prune bulkTokens tokens from a zone that allows
// bulkLimit requests per minute (Make's Teams plan) in fixed one-minute
// windows, as the emulator (and, as far as anyone knows, Make) counts them.
//
// With fixed windows the limit bites at window boundaries: a job needing R
// requests cannot finish before the start of window ceil(R/limit)-1 (counted
// from the window it started in). That moment, minus the start, is the
// shortest time the limit allows; the figure is that time over the time
// prune took: its share of the limit's throughput. The job starts at second
// bulkPhase of the emulator's minute (the emulator's clock is shifted to
// put it there), so that it crosses one boundary and takes about 30 s.
const (
	bulkTokens = 300
	bulkLimit  = 240
	bulkPhase  = 30 * time.Second
	bulkTarget = 0.90
	// bulkTimeout is prune's --timeout: room for a wait of a whole window
	// and more, without Retry-After.
	bulkTimeout = 3 * time.Minute
)

// bulk measures prune under the rate limit, with Retry-After (the target)
// and without it (as Make documents no Retry-After: for information).
func (b *bench) bulk(ctx context.Context) ([]row, error) {
	target := fmt.Sprintf("≥ %.0f%%, 0 failed", bulkTarget*100)
	var rows []row
	for _, retryAfter := range []bool{true, false} {
		r, err := b.bulkRun(ctx, retryAfter)
		if err != nil {
			return rows, err
		}
		if !retryAfter && r.result != na {
			r.result = info
			r.target = "- (" + target + " with Retry-After)"
		} else {
			r.target = target
		}
		rows = append(rows, r)
		if r.result == na {
			break
		}
	}
	return rows, nil
}

func (b *bench) bulkRun(ctx context.Context, retryAfter bool) (row, error) {
	var offset atomic.Int64 // the emulator's clock minus the real one
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	name := "bulk"
	how := "without Retry-After"
	if retryAfter {
		name, how = "bulk-retry-after", "with Retry-After"
	}
	figure := fmt.Sprintf("bulk: prune %d tokens at %d/min %s", bulkTokens, bulkLimit, how)
	s, err := b.emulate(name, emulator.Options{Zones: []string{"eu1"}, RateLimit: bulkLimit, RetryAfter: retryAfter, Now: now})
	if err != nil {
		return row{}, err
	}
	defer s.close()
	if !b.hasCommand(ctx, s, "prune") {
		return row{figure: fmt.Sprintf("bulk: prune %d tokens at %d/min", bulkTokens, bulkLimit), measured: "prune is not in this build", result: na}, nil
	}
	z := s.srv.Zone("eu1")
	old := time.Now().Add(-100 * 24 * time.Hour)
	for i := range bulkTokens {
		z.AddToken("bulk-job", []string{"scenarios:read"}, old.Add(time.Duration(i)*time.Second))
	}
	z.ResetRequests()

	// Put the emulator's clock at bulkPhase into its minute: a fresh window.
	wall := time.Now()
	offset.Store(int64((bulkPhase - wall.Sub(wall.Truncate(time.Minute)) + time.Minute) % time.Minute))
	b.progress("bulk: prune of %d tokens at %d requests/min %s (about %s)", bulkTokens, bulkLimit, how, time.Minute-bulkPhase)
	start := now()
	// A job that must wait for the next window needs more than the default
	// --timeout of 30 s: every wait that would end past it is not begun.
	r, err := runOnce(ctx, b.maketoken(s, "prune", "-z", "eu1", "--older-than", "30d", "--label-prefix", "bulk-",
		"--yes", "-o", "json", "--timeout", bulkTimeout.String()), true, b.devNull)
	if err != nil {
		return row{}, err
	}

	// Every deletion must have worked: exit 0, every record revoked, the
	// zone left with its admin token only.
	var records []struct {
		Revoked bool   `json:"revoked"`
		Error   string `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.stdout), &records)
	revoked := 0
	for _, rec := range records {
		if rec.Revoked && rec.Error == "" {
			revoked++
		}
	}
	left := len(z.Tokens()) - 1
	failed := bulkTokens - revoked
	if left > failed {
		failed = left
	}

	served, limited := 0, 0
	for _, req := range z.Requests() {
		if req.Status == http.StatusTooManyRequests {
			limited++
		} else {
			served++
		}
	}
	measured := fmt.Sprintf("%s, exit %d, %d revoked, %d failed, %d requests + %d answered 429", r.wall.Round(100*time.Millisecond), r.code, revoked, failed, served, limited)
	if failed > 0 || r.code != 0 {
		return row{figure: figure, measured: measured + "; " + errorLine(r.stderr), result: fail}, nil
	}
	windows := (served + bulkLimit - 1) / bulkLimit
	if windows < 2 {
		return row{figure: figure, measured: measured + "; the limit never bit", result: fail}, nil
	}
	idealEnd := start.Truncate(time.Minute).Add(time.Duration(windows-1) * time.Minute)
	ideal := idealEnd.Sub(start)
	share := float64(ideal) / float64(r.wall)
	return row{
		figure:   figure,
		measured: fmt.Sprintf("%.0f%% of the limit (%s; the limit allows %s)", share*100, measured, ideal.Round(100*time.Millisecond)),
		result:   verdict(share >= bulkTarget),
	}, nil
}

// errorLine is the first error maketoken reported on stderr.
func errorLine(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "maketoken: ") {
			return line
		}
	}
	return firstLines(stderr, 1)
}
