package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/maketoken/maketoken/internal/emulator"
)

// cmdEmuServerText makes a zone send hostile text (control characters,
// escape sequences, bidi overrides), written as Go string literals so that
// a script can spell them:
//
//	emu seed-text ZONE "LABEL" SCOPES [VAR]   add a token with that label; its secret goes to $VAR
//	emu created-suffix ZONE "SUFFIX"          every created timestamp the zone makes from now on ends with SUFFIX
//	emu user ZONE "NAME" "EMAIL"              the zone's user, as GET /users/me shows it
func cmdEmuServerText(ts *testscript.TestScript, srv *emulator.Server, args []string) {
	unquote := func(s string) string {
		u, err := strconv.Unquote(s)
		if err != nil {
			ts.Fatalf("emu %s: %s is not a Go string literal: %v", args[0], s, err)
		}
		return u
	}
	zone := func() *emulator.Zone {
		z := srv.Zone(args[1])
		if z == nil {
			ts.Fatalf("emu: no zone %q", args[1])
		}
		return z
	}
	switch args[0] {
	case "seed-text":
		if len(args) < 4 || len(args) > 5 {
			ts.Fatalf(`usage: emu seed-text ZONE "LABEL" SCOPES [VAR]`)
		}
		tok := zone().AddToken(unquote(args[2]), strings.Split(args[3], ","), time.Now())
		if len(args) == 5 {
			ts.Setenv(args[4], tok.Token)
		}
	case "created-suffix":
		if len(args) != 3 {
			ts.Fatalf(`usage: emu created-suffix ZONE "SUFFIX"`)
		}
		zone().SetCreatedSuffix(unquote(args[2]))
	case "user":
		if len(args) != 4 {
			ts.Fatalf(`usage: emu user ZONE "NAME" "EMAIL"`)
		}
		zone().SetUser(unquote(args[2]), unquote(args[3]))
	}
}
