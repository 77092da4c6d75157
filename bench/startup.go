package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/maketoken/maketoken/internal/emulator"
)

// startupTarget is the start-up target: a command that needs neither the
// network nor the keyring costs at most this many times the dependency
// floor, i.e. maketoken's own start-up work adds at most 10% to what its
// dependencies cost before any of its code runs.
const startupTarget = 1.10

// startup measures how long maketoken takes to start and answer, against
// the dependency floor, for commands that send no request: version, zones
// (settings and credential sources, credentials from the environment) and
// --help. The ratio to the bare floor is shown beside it, for information.
// It also checks that none of them touches the network or a D-Bus session
// bus, even when one is announced.
func (b *bench) startup(ctx context.Context) ([]row, error) {
	s, err := b.emulate("startup", emulator.Options{})
	if err != nil {
		return nil, err
	}
	defer s.close()
	invs := []invocation{
		{name: "floor", path: b.bin.floor, env: s.env},
		{name: "depfloor", path: b.bin.depFloor, env: s.env},
		b.maketoken(s, "version"),
		b.maketoken(s, "zones"),
		b.maketoken(s, "--help"),
	}
	musts := [][]string{{"floor"}, {"floor"}, {"maketoken "}, {"celonis-us1\t", "\tenv\t"}, {"Usage:"}}
	const firstMaketoken = 2
	for i, inv := range invs {
		r, err := check(ctx, inv, 0, b.devNull, musts[i]...)
		if err != nil {
			return nil, err
		}
		if r.stderr != "" {
			return nil, fmt.Errorf("%s wrote to stderr: %s", inv.name, firstLines(r.stderr, 3))
		}
	}
	untouched, err := b.untouched(ctx, s, invs[firstMaketoken:])
	if err != nil {
		return nil, err
	}
	testOnly, err := b.testOnlyLinked(ctx)
	if err != nil {
		return nil, err
	}
	noBus, err := b.noSessionBus(ctx, s)
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
	floor, deps := summarise(times[0]), summarise(times[1])
	rows := []row{{
		figure:   "start-up: floor (a Go main that prints a line)",
		measured: fmt.Sprintf("%s (p90 %s)", ms(floor.median), ms(floor.p90)),
		target:   "-",
		result:   info,
	}, {
		figure: fmt.Sprintf("start-up: dependency floor (the floor + the %d packages maketoken links from outside its module, unused)", b.bin.depPkgs),
		measured: fmt.Sprintf("%s (p90 %s) = %.2f× floor", ms(deps.median), ms(deps.p90),
			float64(deps.median)/float64(floor.median)),
		target: "-",
		result: info,
	}}
	for i, inv := range invs[firstMaketoken:] {
		st := summarise(times[firstMaketoken+i])
		ratio := float64(st.median) / float64(deps.median)
		rows = append(rows, row{
			figure: "start-up: " + inv.name[len("maketoken "):],
			measured: fmt.Sprintf("%s (p90 %s) = %.2f× dependency floor (%.2f× floor)", ms(st.median), ms(st.p90), ratio,
				float64(st.median)/float64(floor.median)),
			target: fmt.Sprintf("≤ %.2f× dependency floor", startupTarget),
			result: verdict(ratio <= startupTarget),
		})
	}
	return append(rows, noBus, untouched, testOnly), nil
}

// noSessionBus measures zones when no credential is in the environment and
// there is no D-Bus session bus: every zone's keyring look-up must fail at
// once, without starting a bus. A dbus-launch placed first on PATH records
// whether anything tried to start one (the D-Bus library's "autolaunch").
func (b *bench) noSessionBus(ctx context.Context, s *setup) (row, error) {
	bin := filepath.Join(b.dir, "fake-bin")
	marker := filepath.Join(b.dir, "dbus-launch-ran")
	if err := os.MkdirAll(bin, 0o700); err != nil {
		return row{}, err
	}
	script := "#!/bin/sh\ntouch \"$BENCH_DBUS_LAUNCH_MARKER\"\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o700); err != nil { //nolint:gosec // a script must be executable
		return row{}, err
	}
	var plain []string
	for _, e := range s.env {
		switch {
		case strings.HasPrefix(e, "MAKETOKEN_TOKEN_"):
		case strings.HasPrefix(e, "PATH="):
			plain = append(plain, "PATH="+bin+string(os.PathListSeparator)+strings.TrimPrefix(e, "PATH="))
		default:
			plain = append(plain, e)
		}
	}
	none := invocation{name: "maketoken zones", path: b.bin.maketoken, args: []string{"zones"},
		env: append(plain, "BENCH_DBUS_LAUNCH_MARKER="+marker)}
	r, err := check(ctx, none, 0, b.devNull, "celonis-us1\t", "\tnone\t")
	if err != nil {
		return row{}, err
	}
	if !strings.Contains(r.stderr, "no D-Bus session bus") {
		return row{}, fmt.Errorf("zones without a session bus did not say the keyring is unavailable: %s", firstLines(r.stderr, 2))
	}
	withEnv := b.maketoken(s, "zones")
	times, err := interleave(ctx, []invocation{withEnv, none}, max(b.opts.reps/2, 5), b.devNull, rand.Shuffle)
	if err != nil {
		return row{}, err
	}
	envSt, noneSt := summarise(times[0]), summarise(times[1])
	_, statErr := os.Stat(marker)
	launched := statErr == nil
	measured := fmt.Sprintf("%s (p90 %s), with env credentials %s; no bus started", ms(noneSt.median), ms(noneSt.p90), ms(envSt.median))
	if launched {
		measured = "dbus-launch was run: the keyring look-up tried to start a session bus"
	}
	return row{
		figure:   "start-up: zones, no credentials, no session bus",
		measured: measured,
		target:   "no bus started",
		result:   verdict(!launched),
	}, nil
}

// testOnlyLinked checks that no test-only package is linked into
// maketoken: the emulator, the API contract checker and their
// dependencies (kin-openapi, testscript).
func (b *bench) testOnlyLinked(ctx context.Context) (row, error) {
	linked, err := listDeps(ctx, b.root, "./cmd/maketoken")
	if err != nil {
		return row{}, err
	}
	testOnly := []string{modulePath + "/internal/emulator", modulePath + "/internal/apicontract",
		"github.com/getkin/kin-openapi/", "github.com/rogpeppe/go-internal/", "github.com/santhosh-tekuri/jsonschema/"}
	var found []string
	for _, p := range linked {
		for _, t := range testOnly {
			if p == t || strings.HasPrefix(p, t) {
				found = append(found, p)
			}
		}
	}
	measured := fmt.Sprintf("%d packages linked, none test-only", len(linked))
	if len(found) > 0 {
		measured = fmt.Sprintf("test-only packages linked: %s", strings.Join(found, ", "))
	}
	return row{
		figure:   "binary: emulator, kin-openapi, testscript not linked",
		measured: measured,
		target:   "none",
		result:   verdict(len(found) == 0),
	}, nil
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
