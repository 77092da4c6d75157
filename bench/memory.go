package main

import (
	"context"
	"fmt"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// Memory: listing memoryTokens tokens of one zone peaks below memoryTarget
// of resident memory, in every output format.
const (
	memoryTokens = 10_000
	memoryTarget = 50 << 20
	memoryReps   = 3
)

// memory measures the peak RSS of list over a zone with 10,000 tokens, as
// the kernel reports it for the finished child (ru_maxrss).
func (b *bench) memory(ctx context.Context) ([]row, error) {
	s, err := b.emulate("memory", emulator.Options{Zones: []string{"eu1"}})
	if err != nil {
		return nil, err
	}
	defer s.close()
	target := fmt.Sprintf("< %s", mib(memoryTarget))
	if !b.hasCommand(ctx, s, "list") {
		return []row{{figure: "memory: list, 10,000 tokens", measured: "list is not in this build", target: target, result: na}}, nil
	}
	z := s.srv.Zone("eu1")
	scopes := [][]string{{"scenarios:read"}, {"scenarios:read", "scenarios:write", "scenarios:run"}, {"user:read", "user:write"}}
	start := time.Now().Add(-memoryTokens * time.Minute)
	for i := range memoryTokens {
		z.AddToken(fmt.Sprintf("ci-job-%05d", i), scopes[i%len(scopes)], start.Add(time.Duration(i)*time.Minute))
	}
	var rows []row
	for _, format := range []string{"tsv", "json", "table"} {
		inv := b.maketoken(s, "list", "-z", "eu1", "-o", format)
		var peak int64
		var walls []time.Duration
		for range memoryReps {
			r, err := check(ctx, inv, 0, b.devNull, "ci-job-09999")
			if err != nil {
				return rows, err
			}
			peak = max(peak, r.maxRSS)
			walls = append(walls, r.wall)
		}
		rows = append(rows, row{
			figure:   fmt.Sprintf("memory: list -o %s, %d tokens in one zone", format, memoryTokens),
			measured: fmt.Sprintf("peak RSS %s (%s)", mib(peak), ms(summarise(walls).median)),
			target:   target,
			result:   verdict(peak < memoryTarget),
		})
	}
	return rows, nil
}
