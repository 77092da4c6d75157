package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/maketoken/maketoken/internal/emulator"
)

// setup is an emulator started for one scenario, with a home directory, a
// config file pointing maketoken at its zones, and an environment that
// gives maketoken every zone's admin token through MAKETOKEN_TOKEN_<ZONE>.
type setup struct {
	srv  *emulator.Server
	home string
	env  []string
}

// emulate starts an emulator and prepares the scenario's home.
func (b *bench) emulate(name string, opts emulator.Options) (*setup, error) {
	srv := emulator.New(opts)
	if err := srv.Start(); err != nil {
		return nil, err
	}
	home := filepath.Join(b.dir, name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		srv.Close()
		return nil, err
	}
	var cfg strings.Builder
	cfg.WriteString("zones:\n")
	var creds []string
	for _, zn := range srv.Zones() {
		z := srv.Zone(zn)
		fmt.Fprintf(&cfg, "  %s:\n    url: %s\n", zn, z.URL())
		creds = append(creds, "MAKETOKEN_TOKEN_"+strings.ToUpper(strings.ReplaceAll(zn, "-", "_"))+"="+z.AdminToken())
	}
	cfgPath := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		srv.Close()
		return nil, err
	}
	return &setup{srv: srv, home: home, env: env(home, append([]string{"MAKETOKEN_CONFIG=" + cfgPath}, creds...)...)}, nil
}

// maketoken is an invocation of maketoken in the setup's environment.
func (b *bench) maketoken(s *setup, args ...string) invocation {
	return invocation{name: "maketoken " + strings.Join(args, " "), path: b.bin.maketoken, args: args, env: s.env}
}

// hasCommand reports whether this build of maketoken has the subcommand:
// the benchmark measures each command once it exists.
func (b *bench) hasCommand(ctx context.Context, s *setup, name string) bool {
	r, err := runOnce(ctx, b.maketoken(s, name, "--help"), false, b.devNull)
	return err == nil && r.code == 0
}

// requestCount is the number of API requests the emulator's zones received.
func requestCount(srv *emulator.Server) int {
	n := 0
	for _, zn := range srv.Zones() {
		n += len(srv.Zone(zn).Requests())
	}
	return n
}

func resetRequests(srv *emulator.Server) {
	for _, zn := range srv.Zones() {
		srv.Zone(zn).ResetRequests()
	}
}
