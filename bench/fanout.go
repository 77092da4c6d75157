package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
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
// the same command on one zone: over plain HTTP, and over HTTPS as with
// Make itself, where six handshakes share the machine's cores.
func (b *bench) fanout(ctx context.Context) ([]row, error) {
	var rows []row
	for _, t := range []struct {
		name, label string
		start       func(string, emulator.Options) (*setup, error)
	}{
		{"fanout", "", b.emulate},
		{"fanout-tls", " over HTTPS", b.emulateTLS},
	} {
		s, err := t.start(t.name, emulator.Options{Latency: fanoutLatency})
		if err != nil {
			return rows, err
		}
		r, err := b.fanoutOn(ctx, s, t.label)
		s.close()
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}
	s, err := b.emulate("fanout-accounts", emulator.Options{Latency: fanoutLatency})
	if err != nil {
		return rows, err
	}
	defer s.close()
	r, err := b.fanoutAccounts(ctx, s)
	return append(rows, r), err
}

// fanoutAccounts measures status over the six zones with two stored
// accounts each (twelve credentials, each checked with three requests)
// against status of one account (--user): every account is checked at
// once, so it too must stay within fanoutTarget; one zone's accounts
// checked one after another would be 2x, every account in turn 12x. The
// accounts are logged in, to the credentials file, before the rounds.
func (b *bench) fanoutAccounts(ctx context.Context, s *setup) (row, error) {
	const second = "second@bench.example"
	figure := fmt.Sprintf("fan-out: status, 6 zones x 2 accounts vs 1 account (+%s each)", fanoutLatency)
	target := fmt.Sprintf("≤ %.2f× (limit 1.0×)", fanoutTarget)
	if !b.hasCommand(ctx, s, "switch") {
		return row{figure: figure, measured: "accounts are not in this build", target: target, result: na}, nil
	}
	// Stored credentials only: none from the environment.
	var env []string
	for _, kv := range s.env {
		if !strings.HasPrefix(kv, "MAKETOKEN_TOKEN_") {
			env = append(env, kv)
		}
	}
	env = append(env, "MAKETOKEN_CREDENTIAL_STORE=file")
	for _, zn := range s.srv.Zones() {
		z := s.srv.Zone(zn)
		_, admin := z.AddUser("Second", second)
		for _, tok := range []string{z.AdminToken(), admin.Token} {
			cmd := exec.CommandContext(ctx, b.bin.maketoken, "login", "-z", zn, "--with-token")
			cmd.Env, cmd.Stdin = env, strings.NewReader(tok+"\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				return row{}, fmt.Errorf("login -z %s: %w: %s", zn, err, firstLines(string(out), 3))
			}
		}
	}
	all := invocation{name: "maketoken status", path: b.bin.maketoken, args: []string{"status"}, env: env}
	one := invocation{name: "maketoken status -z eu1 --user " + second, path: b.bin.maketoken, args: []string{"status", "-z", "eu1", "--user", second}, env: env}
	r, err := check(ctx, all, 0, b.devNull, "celonis-us1\t", second)
	if err != nil {
		return row{}, err
	}
	if n := strings.Count(r.stdout, "\n"); n != 12 {
		return row{}, fmt.Errorf("status: %d rows, want 12 (6 zones x 2 accounts)", n)
	}
	if _, err := check(ctx, one, 0, b.devNull, "eu1\t", second); err != nil {
		return row{}, err
	}
	b.progress("fan-out over accounts: %d rounds of 2 commands, interleaved", b.opts.fanoutReps)
	times, err := interleave(ctx, []invocation{all, one}, b.opts.fanoutReps, b.devNull, rand.Shuffle)
	if err != nil {
		return row{}, err
	}
	a, o := summarise(times[0]), summarise(times[1])
	ratio := float64(a.median) / float64(o.median)
	return row{
		figure:   figure,
		measured: fmt.Sprintf("%s (p90 %s) vs %s (p90 %s) = %.2f×", ms(a.median), ms(a.p90), ms(o.median), ms(o.p90), ratio),
		target:   target,
		result:   verdict(ratio <= fanoutTarget),
	}, nil
}

func (b *bench) fanoutOn(ctx context.Context, s *setup, label string) ([]row, error) {
	type pair struct{ all, one invocation }
	var pairs []pair
	hasList := b.hasCommand(ctx, s, "list")
	if hasList {
		pairs = append(pairs, pair{b.maketoken(s, "list", "--all-zones"), b.maketoken(s, "list", "-z", "eu1")})
	}
	pairs = append(pairs, pair{b.maketoken(s, "status"), b.maketoken(s, "status", "-z", "eu1")})

	var invs []invocation
	for _, p := range pairs {
		if _, err := check(ctx, p.all, 0, b.devNull, "celonis-us1\t", "eu1\t"); err != nil {
			return nil, err
		}
		if _, err := check(ctx, p.one, 0, b.devNull, "eu1\t"); err != nil {
			return nil, err
		}
		invs = append(invs, p.all, p.one)
	}
	b.progress("fan-out%s: %d rounds of %d commands, interleaved", label, b.opts.fanoutReps, len(invs))
	times, err := interleave(ctx, invs, b.opts.fanoutReps, b.devNull, rand.Shuffle)
	if err != nil {
		return nil, err
	}
	target := fmt.Sprintf("≤ %.2f× (limit 1.0×)", fanoutTarget)
	var rows []row
	for i, p := range pairs {
		all, one := summarise(times[2*i]), summarise(times[2*i+1])
		ratio := float64(all.median) / float64(one.median)
		rows = append(rows, row{
			figure: fmt.Sprintf("fan-out: %s, 6 zones vs 1 (+%s each)%s", p.all.name[len("maketoken "):], fanoutLatency, label),
			measured: fmt.Sprintf("%s (p90 %s) vs %s (p90 %s) = %.2f×",
				ms(all.median), ms(all.p90), ms(one.median), ms(one.p90), ratio),
			target: target,
			result: verdict(ratio <= fanoutTarget),
		})
	}
	if !hasList {
		rows = append(rows, row{figure: "fan-out: list --all-zones" + label, measured: "list is not in this build", target: target, result: na})
	}
	return rows, nil
}
