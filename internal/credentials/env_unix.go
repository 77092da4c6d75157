//go:build !windows

package credentials

// envKeyIs compares environment variable names (case-sensitive on Unix).
func envKeyIs(k, name string) bool { return k == name }
