// Command make-emulator serves an in-memory emulation of Make's API token
// endpoints, one loopback port per zone, for trying maketoken, running shell
// script tests and benchmarks without reaching Make.
//
//	make-emulator run [--] COMMAND [ARG...]
//	make-emulator shell
//	make-emulator [-addr 127.0.0.1] [-port 18081] [-zones eu1,eu2,...] [-rate-limit N | -plan free] [-retry-after]
//	              [-json-429] [-unauthorized-body json|empty|text] [-administrator]
//	              [-latency 100ms] [-config FILE] [-tokens FILE] [-quiet]
//
// `run` runs one command, and `shell` an interactive shell, with maketoken
// wired to a fresh emulator of the six zones seeded with demo tokens
// (through MAKETOKEN_TOKEN_<ZONE> and a temporary config file; the user's
// keyring, config and cache are not used). When it ends, the emulator stops,
// its temporary files are removed, and make-emulator exits with the
// command's exit code.
//
// Without a subcommand it serves until interrupted (SIGINT or SIGTERM).
// Zones get consecutive ports from -port in the order of -zones (by default
// eu1, eu2, us1, us2, celonis-eu1, celonis-us1); -port 0 picks random ports.
// On start it prints each zone's base URL and admin token, a `zones:` block
// for maketoken's config file, and "make-emulator: ready" as its last line.
// -config writes that block to a file to use as maketoken's config file, and
// -tokens writes ADMIN_<ZONE>=token and URL_<ZONE>=url lines for a shell to
// source (mode 0600); both are written before "ready" is printed. Each zone
// also answers the control API under /_emulator/ (see package
// internal/emulator). The access log goes to standard error unless -quiet.
package main

import (
	"os"

	"github.com/maketoken/maketoken/internal/emulatorcli"
)

func main() {
	os.Exit(emulatorcli.Main(os.Args[1:], emulatorcli.SystemStreams()))
}
