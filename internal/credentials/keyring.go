package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/ctxwait"
	gokeyring "github.com/zalando/go-keyring"
)

// Service is the keyring service under which maketoken keeps one entry per
// account, "ZONE/USER-ID" (eu1/1001) being the entry's account name; the
// release before accounts kept one per zone, named by the zone.
const Service = "maketoken"

// Keyring is an OS keyring: macOS Keychain, Windows Credential Manager or a
// Secret Service (GNOME Keyring, KWallet) over D-Bus.
type Keyring interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// ErrNotFound is returned by a Keyring that has no such entry.
var ErrNotFound = gokeyring.ErrNotFound

// SystemKeyring is the OS keyring, through go-keyring.
type SystemKeyring struct{}

// Get implements Keyring.
func (SystemKeyring) Get(service, account string) (string, error) {
	if err := sessionBusAvailable(); err != nil {
		return "", err
	}
	return gokeyring.Get(service, account)
}

// Set implements Keyring.
func (SystemKeyring) Set(service, account, secret string) error {
	if err := sessionBusAvailable(); err != nil {
		return err
	}
	return gokeyring.Set(service, account, secret)
}

// Delete implements Keyring.
func (SystemKeyring) Delete(service, account string) error {
	if err := sessionBusAvailable(); err != nil {
		return err
	}
	return gokeyring.Delete(service, account)
}

// sessionBusAvailable refuses, on Linux and the BSDs, to use the Secret
// Service when there is no D-Bus session bus to reach it by. Without this
// check the D-Bus library would "autolaunch" a new bus and keyring daemon
// that outlive maketoken, and whose keyring nobody can unlock.
func sessionBusAvailable() error {
	switch runtime.GOOS {
	case "darwin", "windows":
		return nil
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	return errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service keyring can be reached")
}

// KeyringError is a keyring that could not be used: unavailable, or not
// answering in time. It always says what to do instead.
type KeyringError struct {
	Op   string // "read", "store", "delete"
	Zone string
	// Kind is the keyring: the OS keyring's kind, or KindKernel.
	Kind    Kind
	Timeout time.Duration // set when the keyring did not answer in time
	// Interrupted is set when the command was cancelled (Ctrl-C, its
	// deadline) before the keyring answered.
	Interrupted bool
	Err         error
	// OSErr is set on the kernel keyring's error when login turned to it
	// because the OS keyring could not be used: why that one could not.
	OSErr error
}

func (e *KeyringError) Error() string {
	if e.OutcomeUnknown() {
		return e.unknownError()
	}
	kernel := e.Kind == KindKernel
	instead := fmt.Sprintf("use an environment variable (MAKETOKEN_TOKEN_%s) in CI, or `maketoken login -z %s --store file` to keep the token in a file readable only by you", envNameOf(e.Zone), e.Zone)
	if !kernel && kernelKeyringHere {
		instead = fmt.Sprintf("use an environment variable (MAKETOKEN_TOKEN_%s) in CI, or log in with `maketoken login -z %s --store kernel` (the kernel keyring) or `--store file` (a file readable only by you)", envNameOf(e.Zone), e.Zone)
	}
	switch {
	case e.Timeout > 0 && kernel:
		return fmt.Sprintf("zone %s: the kernel keyring did not answer within %s; retry, raise keyring_timeout, or %s", e.Zone, e.Timeout, instead)
	case e.Timeout > 0:
		return fmt.Sprintf("zone %s: the OS keyring did not answer within %s (is it locked and waiting for an unlock prompt?); unlock it and retry, raise keyring_timeout, or %s", e.Zone, e.Timeout, instead)
	case kernel && e.OSErr != nil:
		return fmt.Sprintf("zone %s: no keyring can be used here: the OS keyring is unavailable (%v), and the kernel keyring cannot be used either: %s; %s", e.Zone, e.OSErr, kernelRefusal(e.Err), instead)
	case kernel:
		return fmt.Sprintf("zone %s: the kernel keyring cannot be used here: %s; %s", e.Zone, kernelRefusal(e.Err), instead)
	}
	return fmt.Sprintf("zone %s: the OS keyring is unavailable (%v); %s", e.Zone, e.Err, instead)
}

func (e *KeyringError) Unwrap() error { return e.Err }

// OutcomeUnknown reports whether the call was a change (store, delete)
// that was abandoned before the keyring answered: keyring APIs cannot be
// cancelled, so it may still happen after maketoken gave up on it.
func (e *KeyringError) OutcomeUnknown() bool {
	return e.Op != "read" && (e.Timeout > 0 || e.Interrupted)
}

func (e *KeyringError) unknownError() string {
	why := fmt.Sprintf("did not answer within %s (keyring_timeout)", e.Timeout)
	if e.Interrupted {
		why = fmt.Sprintf("had not answered when the command was stopped (%v)", e.Err)
	}
	name := "the OS keyring"
	if e.Kind == KindKernel {
		name = "the kernel keyring"
	}
	return fmt.Sprintf("zone %s: %s %s; the %s was handed to it and may still happen, so whether it did is not known", e.Zone, name, why, e.Op)
}

// IsTimeout reports whether the keyring did not answer in time.
func (e *KeyringError) IsTimeout() bool { return e.Timeout > 0 }

// boundedKeyring runs every keyring call with a deadline: a stuck D-Bus or
// an unanswered unlock prompt fails the call instead of hanging maketoken.
// A call that times out is abandoned, not cancelled: keyring APIs cannot be
// interrupted, and the process exits soon after. An abandoned store or
// delete may still happen afterwards: its KeyringError says the outcome is
// unknown (see package outcome).
type boundedKeyring struct {
	k       Keyring
	kind    Kind
	timeout time.Duration
}

// call makes one call about an entry (its key, "eu1/1001"): its errors
// name the entry's zone.
func (b boundedKeyring) call(ctx context.Context, op, key string, f func() (string, error)) (string, error) {
	zone := zoneOfKey(key)
	bounded, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	v, err, ended := ctxwait.Call(bounded, f)
	switch {
	case !ended:
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", &KeyringError{Op: op, Zone: zone, Kind: b.kind, Err: err}
		}
		return v, err
	case ctx.Err() == nil:
		return "", &KeyringError{Op: op, Zone: zone, Kind: b.kind, Timeout: b.timeout, Err: context.DeadlineExceeded}
	case op == "read":
		return "", ctx.Err()
	default:
		return "", &KeyringError{Op: op, Zone: zone, Kind: b.kind, Interrupted: true, Err: ctx.Err()}
	}
}

func (b boundedKeyring) get(ctx context.Context, key string) (string, error) {
	return b.call(ctx, "read", key, func() (string, error) { return b.k.Get(Service, key) })
}

func (b boundedKeyring) set(ctx context.Context, key, secret string) error {
	_, err := b.call(ctx, "store", key, func() (string, error) { return "", b.k.Set(Service, key, secret) })
	return err
}

func (b boundedKeyring) delete(ctx context.Context, key string) error {
	_, err := b.call(ctx, "delete", key, func() (string, error) { return "", b.k.Delete(Service, key) })
	return err
}

// zoneOfKey is the zone an entry's key belongs to: "eu1" for an account's
// "eu1/1001" (see entryKey) and for the zone's own "eu1" (see legacyKey).
// A zone's name never holds a "/".
func zoneOfKey(key string) string {
	zone, _, _ := strings.Cut(key, "/")
	return zone
}
