package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// Fan-out: six zones, each answering after fanoutLatency, must take at
// most fanoutTarget times as long as one zone (the limit is 1.0: every zone
// at once, one round trip).
const (
	fanoutLatency = 100 * time.Millisecond
	fanoutTarget  = 1.25
)

// fanout measures list --all-zones and status over the six zones against
// the same command on one zone.
func (b *bench) fanout(ctx context.Context) ([]row, error) {
	s, err := b.emulate("fanout", emulator.Options{Latency: fanoutLatency})
	if err != nil {
		return nil, err
	}
	defer s.srv.Close()
	type pair struct {
		all, one invocation
		must     []string
	}
	var pairs []pair
	if b.hasCommand(ctx, s, "list") {
		pairs = append(pairs, pair{b.maketoken(s, "list", "--all-zones"), b.maketoken(s, "list", "-z", "eu1"), []string{"celonis-us1\t", "eu1\t"}})
	}
	pairs = append(pairs, pair{b.maketoken(s, "status"), b.maketoken(s, "status", "-z", "eu1"), []string{"celonis-us1\t", "eu1\t"}})

	var invs []invocation
	for _, p := range pairs {
		if _, err := check(ctx, p.all, 0, b.devNull, p.must...); err != nil {
			return nil, err
		}
		if _, err := check(ctx, p.one, 0, b.devNull, "eu1\t"); err != nil {
			return nil, err
		}
		invs = append(invs, p.all, p.one)
	}
	b.progress("fan-out: %d rounds of %d commands, interleaved", b.opts.fanoutReps, len(invs))
	times, err := interleave(ctx, invs, b.opts.fanoutReps, b.devNull, rand.Shuffle)
	if err != nil {
		return nil, err
	}
	var rows []row
	for i, p := range pairs {
		all, one := summarise(times[2*i]), summarise(times[2*i+1])
		ratio := float64(all.median) / float64(one.median)
		rows = append(rows, row{
			figure: fmt.Sprintf("fan-out: %s, 6 zones vs 1 (+%s each)", p.all.name[len("maketoken "):], fanoutLatency),
			measured: fmt.Sprintf("%s (p90 %s) vs %s (p90 %s) = %.2f×",
				ms(all.median), ms(all.p90), ms(one.median), ms(one.p90), ratio),
			target: fmt.Sprintf("≤ %.2f× (limit 1.0×)", fanoutTarget),
			result: verdict(ratio <= fanoutTarget),
		})
	}
	if len(pairs) == 1 {
		rows = append(rows, row{figure: "fan-out: list --all-zones", measured: "list is not in this build", target: "≤ 1.25×", result: na})
	}
	return rows, nil
}
