// Package emulatorcli is the make-emulator program: serving the emulator
// until interrupted, and running a command or an interactive shell with
// maketoken wired to a fresh emulator (see Main).
package emulatorcli
