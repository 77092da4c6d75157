package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"sync/atomic"

	"github.com/maketoken/maketoken/internal/emulator"
)

// startupTarget is the start-up target: a command that needs neither the
// network nor the keyring costs at most this many times the floor.
const startupTarget = 1.5

// startup measures how long maketoken takes to start and answer, against
// the floor, for commands that send no request: version, zones (settings
// and credential sources, credentials from the environment) and --help.
// It also checks that none of them touches the network or a D-Bus session
// bus, even when one is announced.
func (b *bench) startup(ctx context.Context) ([]row, error) {
	s, err := b.emulate("startup", emulator.Options{})
	if err != nil {
		return nil, err
	}
	defer s.srv.Close()
	invs := []invocation{
		{name: "floor", path: b.bin.floor, env: s.env},
		b.maketoken(s, "version"),
		b.maketoken(s, "zones"),
		b.maketoken(s, "--help"),
	}
	musts := [][]string{{"floor"}, {"maketoken "}, {"celonis-us1\t", "\tenv\n"}, {"Usage:"}}
	for i, inv := range invs {
		r, err := check(ctx, inv, 0, b.devNull, musts[i]...)
		if err != nil {
			return nil, err
		}
		if r.stderr != "" {
			return nil, fmt.Errorf("%s wrote to stderr: %s", inv.name, firstLines(r.stderr, 3))
		}
	}
	untouched, err := b.untouched(ctx, s, invs[1:])
	if err != nil {
		return nil, err
	}

	b.progress("start-up: %d rounds of %d commands, interleaved", b.opts.reps, len(invs))
	if _, err := interleave(ctx, invs, 5, b.devNull, rand.Shuffle); err != nil { // warm the page cache
		return nil, err
	}
	times, err := interleave(ctx, invs, b.opts.reps, b.devNull, rand.Shuffle)
	if err != nil {
		return nil, err
	}
	floor := summarise(times[0])
	rows := []row{{
		figure:   "start-up: floor (a Go main that prints a line)",
		measured: fmt.Sprintf("%s (p90 %s)", ms(floor.median), ms(floor.p90)),
		target:   "-",
		result:   info,
	}}
	for i, inv := range invs[1:] {
		st := summarise(times[i+1])
		ratio := float64(st.median) / float64(floor.median)
		rows = append(rows, row{
			figure:   "start-up: " + inv.name[len("maketoken "):],
			measured: fmt.Sprintf("%s (p90 %s) = %.2f× floor", ms(st.median), ms(st.p90), ratio),
			target:   fmt.Sprintf("≤ %.1f× floor", startupTarget),
			result:   verdict(ratio <= startupTarget),
		})
	}
	return append(rows, untouched), nil
}

// untouched runs each invocation once with a D-Bus session bus announced
// (a socket the benchmark listens on) and checks that none of them connects
// to it, nor sends an API request: version and --help need neither, and
// zones with every credential in the environment needs no keyring.
func (b *bench) untouched(ctx context.Context, s *setup, invs []invocation) (row, error) {
	sock := filepath.Join(b.dir, "session-bus")
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "unix", sock)
	if err != nil {
		return row{}, err
	}
	defer l.Close()
	var conns atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	resetRequests(s.srv)
	for _, inv := range invs {
		inv.env = append(inv.env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
		if _, err := check(ctx, inv, 0, b.devNull); err != nil {
			return row{}, err
		}
	}
	n, reqs := conns.Load(), requestCount(s.srv)
	return row{
		figure:   "start-up: version, zones, --help with a session bus announced",
		measured: fmt.Sprintf("%d D-Bus connections, %d HTTP requests", n, reqs),
		target:   "0 and 0",
		result:   verdict(n == 0 && reqs == 0),
	}, nil
}
