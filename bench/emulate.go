package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/maketoken/maketoken/internal/emulator"
)

// setup is an emulator started for one scenario, with a home directory, a
// config file pointing maketoken at its zones, and an environment that
// gives maketoken every zone's admin token through MAKETOKEN_TOKEN_<ZONE>.
type setup struct {
	srv   *emulator.Server
	home  string
	env   []string
	close func()
}

// emulate starts an emulator, each zone on its own plain-HTTP loopback
// port, and prepares the scenario's home.
func (b *bench) emulate(name string, opts emulator.Options) (*setup, error) {
	srv := emulator.New(opts)
	if err := srv.Start(); err != nil {
		return nil, err
	}
	urls := map[string]string{}
	for _, zn := range srv.Zones() {
		urls[zn] = srv.Zone(zn).URL()
	}
	s, err := b.prepare(name, srv, urls)
	if err != nil {
		srv.Close()
		return nil, err
	}
	s.close = srv.Close
	return s, nil
}

// emulateTLS is emulate with every zone served over HTTPS, as Make's are,
// offering HTTP/2, with a certificate that maketoken trusts through
// SSL_CERT_FILE: the handshakes and the loading of the trusted
// certificates are part of the measurement.
func (b *bench) emulateTLS(name string, opts emulator.Options) (*setup, error) {
	srv := emulator.New(opts)
	var servers []*httptest.Server
	closeAll := func() {
		for _, ts := range servers {
			ts.Close()
		}
	}
	urls := map[string]string{}
	for _, zn := range srv.Zones() {
		ts := httptest.NewUnstartedServer(srv.Zone(zn).Handler())
		ts.EnableHTTP2 = true
		ts.StartTLS()
		servers = append(servers, ts)
		urls[zn] = ts.URL + emulator.BasePath
	}
	s, err := b.prepare(name, srv, urls)
	if err != nil {
		closeAll()
		return nil, err
	}
	s.close = closeAll
	certFile := filepath.Join(s.home, "ca.pem")
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: servers[0].Certificate().Raw})
	if err := os.WriteFile(certFile, pemCert, 0o600); err != nil {
		closeAll()
		return nil, err
	}
	s.env = append(s.env, "SSL_CERT_FILE="+certFile)
	return s, nil
}

// prepare writes the scenario's home and config file for zones at urls.
func (b *bench) prepare(name string, srv *emulator.Server, urls map[string]string) (*setup, error) {
	home := filepath.Join(b.dir, name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	var cfg strings.Builder
	cfg.WriteString("zones:\n")
	var creds []string
	for _, zn := range srv.Zones() {
		fmt.Fprintf(&cfg, "  %s:\n    url: %s\n", zn, urls[zn])
		creds = append(creds, "MAKETOKEN_TOKEN_"+strings.ToUpper(strings.ReplaceAll(zn, "-", "_"))+"="+srv.Zone(zn).AdminToken())
	}
	cfgPath := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
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
