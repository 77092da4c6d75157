package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/rogpeppe/go-internal/testscript"
)

// A private instance for MAKE_ZONE=make.example.test. maketoken builds
// https://make.example.test/api/v2 from that host, as Make's own tools do.
// The scripts serve it from an emulated zone over TLS, with a certificate
// for make.example.test from a CA made for the test, on a loopback port.
//
// Two test-only variables point the maketoken processes there; testMain
// reads them, and only the test binary has this code, so a released
// maketoken has no way to send a zone's traffic anywhere but the zone's
// own host:
//
//	MAKETOKEN_TEST_HOSTS  HOST:PORT=127.0.0.1:PORT  dial this loopback address for HOST:PORT
//	MAKETOKEN_TEST_CA     FILE                      trust this PEM certificate (only)
//
// A third makes DNS answer that a host does not exist, as it does for a
// mistyped host, without asking a DNS server (a test machine may have
// none):
//
//	MAKETOKEN_TEST_NO_SUCH_HOST  HOST  dialling HOST fails with "no such host"
const (
	privateHost   = "make.example.test"
	testHostsEnv  = "MAKETOKEN_TEST_HOSTS"
	testCAEnv     = "MAKETOKEN_TEST_CA"
	testNoHostEnv = "MAKETOKEN_TEST_NO_SUCH_HOST"
)

// privateKey is where a script's private instance is kept in its Env.
type privateKey struct{}

// testTransport returns the transport testMain gives maketoken when the
// script started a private instance, or nil.
func testTransport(getenv func(string) string) (http.RoundTripper, error) {
	hosts, caFile := getenv(testHostsEnv), getenv(testCAEnv)
	if missing := getenv(testNoHostEnv); missing != "" {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil
		var d net.Dialer
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, _ := net.SplitHostPort(addr); host == missing {
				return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
			}
			return d.DialContext(ctx, network, addr)
		}
		return tr, nil
	}
	if hosts == "" {
		return nil, nil
	}
	from, to, ok := strings.Cut(hosts, "=")
	if !ok {
		return nil, fmt.Errorf("%s: want HOST:PORT=127.0.0.1:PORT", testHostsEnv)
	}
	if h, _, err := net.SplitHostPort(to); err != nil || !net.ParseIP(h).IsLoopback() {
		return nil, fmt.Errorf("%s: %q is not a loopback address", testHostsEnv, to)
	}
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, errors.New(testCAEnv + ": no certificate")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == from {
			addr = to
		}
		return d.DialContext(ctx, network, addr)
	}
	return tr, nil
}

// privateStarter starts the script's private instance on first use.
type privateStarter struct {
	wrap func(zone string, h http.Handler) http.Handler
	zone *emulator.Zone
}

// startPrivateHost serves an emulated zone named make.example.test over
// TLS (`emu private-host`) and points the script's maketoken processes at
// it; its admin token goes to $ADMIN_PRIVATE. Scripts that never ask for
// it run maketoken with its normal transport.
func startPrivateHost(ts *testscript.TestScript) *emulator.Zone {
	ps := ts.Value(privateKey{}).(*privateStarter)
	if ps.zone != nil {
		return ps.zone
	}
	srv := emulator.New(emulator.Options{Zones: []string{privateHost}})
	z := srv.Zone(privateHost)
	cert, caPEM, err := selfSignedCert(privateHost)
	ts.Check(err)
	hs := httptest.NewUnstartedServer(ps.wrap(privateHost, z.Handler()))
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	hs.StartTLS()
	ts.Defer(hs.Close)
	caFile := ts.MkAbs(".private-ca.pem")
	ts.Check(os.WriteFile(caFile, caPEM, 0o600))
	ts.Setenv(testHostsEnv, privateHost+":443="+hs.Listener.Addr().String())
	ts.Setenv(testCAEnv, caFile)
	ts.Setenv("ADMIN_PRIVATE", z.AdminToken())
	ps.zone = z
	if c, ok := ts.Value(canaryKey{}).(*canary); ok {
		c.mu.Lock()
		c.more = append(c.more, z)
		c.mu.Unlock()
	}
	return z
}

// privateZone returns the script's private instance if it was started.
func privateZone(ts *testscript.TestScript) *emulator.Zone {
	if ps, ok := ts.Value(privateKey{}).(*privateStarter); ok {
		return ps.zone
	}
	return nil
}

// selfSignedCert makes a certificate for host that is its own CA.
func selfSignedCert(host string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
