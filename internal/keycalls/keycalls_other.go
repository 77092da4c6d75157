//go:build !linux

package keycalls

import "syscall"

// Block does nothing: there are no key-management calls to block here.
func Block(syscall.Errno) error { return nil }
