// Package buildinfo says which maketoken is running: its version, commit
// and build date as the linker set them (a release build), else as the Go
// module's build information records them (a `go install` build), so that
// none is ever blank.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Linked is what the linker set (-X), blank where it set nothing.
type Linked struct {
	Version, Commit, Date string
}

// Info is the running binary, as `maketoken version` and doctor show it.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Resolve fills what the linker did not set from the module's build
// information (a `go install` build), so the version is never blank.
func (b Linked) Resolve() Info {
	r := Info{Version: b.Version, Commit: b.Commit, Date: b.Date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
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

// String is the line `maketoken version` prints.
func (i Info) String() string {
	return fmt.Sprintf("maketoken %s (commit %s, built %s, %s %s)", i.Version, i.Commit, i.Date, i.GoVersion, i.Platform)
}

// UserAgent names maketoken, its version and platform, for HTTP requests.
func (b Linked) UserAgent() string {
	v := b.Version
	if v == "" {
		v = "dev"
	}
	return fmt.Sprintf("maketoken/%s (%s/%s)", v, runtime.GOOS, runtime.GOARCH)
}
