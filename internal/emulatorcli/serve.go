package emulatorcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

const usageText = `Usage:
  make-emulator run [--] COMMAND [ARG...]   run COMMAND with maketoken wired to a
                                            fresh emulator; stop it afterwards
  make-emulator shell                       the same, with an interactive shell
  make-emulator [flags]                     serve the emulator until interrupted

Flags (serving only):
`

var zoneName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Serve runs the emulator until ctx ends (the program without a
// subcommand); it returns the exit code: 0 after a clean shutdown, 1 if the
// emulator cannot start, 2 for bad usage.
func Serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("make-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1", "loopback `address` to listen on (127.0.0.1, ::1 or localhost)")
	port := fs.Int("port", 18081, "`port` of the first zone; the next zones get the next ports (0 = random ports)")
	zones := fs.String("zones", strings.Join(emulator.DefaultZones(), ","), "comma-separated zone `names`")
	rateLimit := fs.Int("rate-limit", 0, "API requests allowed per minute per zone (0 = unlimited; Make: 60, 120, 240 or 1000)")
	retryAfter := fs.Bool("retry-after", false, "send a Retry-After header with 429 answers")
	plan := fs.String("plan", "", "the rate limit of a Make `plan`: free (30/min), core (60), pro (120), teams (240), enterprise (1000)")
	json429 := fs.Bool("json-429", false, "answer 429 with Make's error JSON rather than plain text")
	authBody := fs.String("unauthorized-body", emulator.UnauthorizedJSON, "body of 401 answers: json, empty or text (Make's is not documented)")
	administrator := fs.Bool("administrator", false, "the users are administrators, who may use the admin:*, apps:* and system:* scopes")
	latency := fs.Duration("latency", 0, "`delay` added to every API request, e.g. 100ms")
	quiet := fs.Bool("quiet", false, "do not write the access log to standard error")
	configFile := fs.String("config", "", "also write the zones: block for maketoken to this `file`")
	tokensFile := fs.String("tokens", "", "also write ADMIN_<ZONE>= and URL_<ZONE>= lines for a shell to source to this `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "make-emulator: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	if *rateLimit < 0 {
		return usage("-rate-limit must not be negative")
	}
	if *latency < 0 {
		return usage("-latency must not be negative")
	}
	if *plan != "" {
		n, ok := emulator.PlanRateLimit(*plan)
		switch {
		case !ok:
			return usage("-plan: unknown plan %q (free, core, pro, teams or enterprise)", *plan)
		case *rateLimit != 0:
			return usage("use -rate-limit or -plan, not both")
		}
		*rateLimit = n
	}
	switch *authBody {
	case emulator.UnauthorizedJSON, emulator.UnauthorizedEmpty, emulator.UnauthorizedText:
	default:
		return usage("-unauthorized-body: want json, empty or text, got %q", *authBody)
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(*zones, ",") {
		n = strings.TrimSpace(n)
		if !zoneName.MatchString(n) {
			return usage("-zones: bad zone name %q (letters, digits, '.', '_' and '-')", n)
		}
		if seen[n] {
			return usage("-zones: zone %q given twice", n)
		}
		seen[n] = true
		names = append(names, n)
	}
	addrs, err := emulator.ConsecutiveAddrs(*addr, *port, names)
	if err != nil {
		return usage("%v", err)
	}

	opts := emulator.Options{Zones: names, RateLimit: *rateLimit, RetryAfter: *retryAfter, Latency: *latency,
		RateLimitJSON: *json429, UnauthorizedBody: *authBody, Administrator: *administrator}
	if !*quiet {
		opts.Log = stderr
	}
	srv := emulator.New(opts)
	if err := srv.StartOn(addrs); err != nil {
		fmt.Fprintf(stderr, "make-emulator: %v\n", err)
		return 1
	}
	err = srv.WriteSummary(stdout)
	if err == nil && *configFile != "" {
		err = writeFile(*configFile, srv.ConfigYAML())
	}
	if err == nil && *tokensFile != "" {
		err = writeFile(*tokensFile, srv.ShellEnv())
	}
	if err != nil {
		srv.Close()
		fmt.Fprintf(stderr, "make-emulator: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "make-emulator: ready")

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "make-emulator: shutting down: %v\n", err)
	}
	fmt.Fprintln(stderr, "make-emulator: stopped")
	return 0
}

// writeFile replaces name with content, atomically and readable by its owner
// only (the tokens file holds the emulator's admin tokens).
func writeFile(name, content string) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".make-emulator-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
