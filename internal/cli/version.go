package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/spf13/cobra"
)

// VersionOptions are the options of `maketoken version`.
type VersionOptions struct {
	IO    *iostreams.IOStreams
	Build BuildInfo
}

type versionRecord struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

func newVersionCmd(f *Factory) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Build: f.Build}
	return &cobra.Command{
		Use:   "version",
		Short: "Print maketoken's version, commit, build date and platform",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return RunVersion(opts)
		},
	}
}

// RunVersion prints the version. It reads no config file, keyring or
// network: it must answer instantly anywhere.
func RunVersion(opts *VersionOptions) error {
	fmt.Fprintln(opts.IO.Out, versionString(opts.Build))
	return nil
}

// resolveBuild fills what the linker did not set from the module's build
// information (a `go install` build), so the version is never blank.
func resolveBuild(b BuildInfo) versionRecord {
	r := versionRecord{Version: b.Version, Commit: b.Commit, Date: b.Date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		if r.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			r.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if r.Commit == "" {
					r.Commit = s.Value
				}
			case "vcs.time":
				if r.Date == "" {
					r.Date = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" && r.Commit != "" && b.Commit == "" {
					r.Commit += "-dirty"
				}
			}
		}
	}
	if r.Version == "" {
		r.Version = "dev"
	}
	if r.Commit == "" {
		r.Commit = "unknown"
	}
	if r.Date == "" {
		r.Date = "unknown"
	}
	return r
}

func versionString(b BuildInfo) string {
	r := resolveBuild(b)
	return fmt.Sprintf("maketoken %s (commit %s, built %s, %s %s)", r.Version, r.Commit, r.Date, r.GoVersion, r.Platform)
}
