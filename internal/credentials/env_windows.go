//go:build windows

package credentials

import "strings"

// envKeyIs compares environment variable names (case-insensitive on
// Windows).
func envKeyIs(k, name string) bool { return strings.EqualFold(k, name) }
