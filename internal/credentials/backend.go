package credentials

import (
	"context"
	"errors"
	"runtime"

	"github.com/maketoken/maketoken/internal/runctx"
)

// Kind names a store a credential can be kept in, as `credentialStore`
// shows it: the OS keyring (one of the first three), the Linux kernel
// keyring, or the plain-text credentials file.
type Kind string

// The stores.
const (
	KindSecretService Kind = "secret-service"
	KindKeychain      Kind = "keychain"
	KindWincred       Kind = "wincred"
	KindKernel        Kind = "kernel"
	KindFile          Kind = "file"
)

// OSKeyring is the kind of the OS keyring on this system.
func OSKeyring() Kind { return osKeyringOn(runtime.GOOS) }

func osKeyringOn(goos string) Kind {
	switch goos {
	case "darwin":
		return KindKeychain
	case "windows":
		return KindWincred
	}
	return KindSecretService
}

// Source is what `credentialSource` shows for a credential kept in a
// store of this kind: both keyrings are a keyring.
func (k Kind) Source() Source {
	if k == KindFile {
		return SourceFile
	}
	return SourceKeyring
}

// Label is the store in a word or two, as a table shows it: "keyring",
// "kernel keyring", "file".
func (k Kind) Label() string {
	if k == KindKernel {
		return "kernel keyring"
	}
	return string(k.Source())
}

// Name is the store for people: "the OS keyring", "the kernel keyring",
// "the credentials file".
func (k Kind) Name() string {
	switch k {
	case KindKernel:
		return "the kernel keyring"
	case KindFile:
		return "the credentials file"
	case "":
		return "no store"
	}
	return "the OS keyring"
}

// Backend is one place a stored credential can be kept: the OS keyring,
// the Linux kernel keyring or the plain-text credentials file. A Store
// reads the one the zone's record names (or, without one, those it always
// read: the OS keyring, then the file) and writes to the one chosen. An
// entry is named by an account: today the zone's name (see account).
//
// Every call is bounded in time: a backend that cannot answer fails the
// call rather than hang maketoken.
type Backend interface {
	// Kind is what `credentialStore` shows for a credential kept here;
	// Kind().Source() what `credentialSource` shows.
	Kind() Kind
	// Get returns the entry, or ErrNotFound.
	Get(ctx context.Context, account string) (string, error)
	// Set writes the entry, replacing any.
	Set(ctx context.Context, account, secret string) error
	// Delete removes the entry, or returns ErrNotFound if there was none.
	Delete(ctx context.Context, account string) error
}

// keyringBackend is a keyring (the OS keyring or the kernel keyring),
// every call bounded (boundedKeyring).
type keyringBackend struct{ boundedKeyring }

func (b keyringBackend) Kind() Kind { return b.kind }

func (b keyringBackend) Get(ctx context.Context, account string) (string, error) {
	tok, err := b.get(ctx, account)
	if err == nil && tok == "" {
		err = ErrNotFound
	}
	return tok, err
}

// Set and Delete are changes a signal must not cut in two: signals are
// caught before they begin (see runctx), in every backend.
func (b keyringBackend) Set(ctx context.Context, account, secret string) error {
	runctx.Catch(ctx)
	return b.set(ctx, account, secret)
}

func (b keyringBackend) Delete(ctx context.Context, account string) error {
	runctx.Catch(ctx)
	return b.delete(ctx, account)
}

// fileBackend is the plain-text credentials file.
type fileBackend struct{ *fileStore }

func (fileBackend) Kind() Kind { return KindFile }

func (b fileBackend) Get(_ context.Context, account string) (string, error) {
	return b.get(account)
}

func (b fileBackend) Set(ctx context.Context, account, secret string) error {
	runctx.Catch(ctx)
	_, err := b.update(account, secret)
	return err
}

func (b fileBackend) Delete(ctx context.Context, account string) error {
	runctx.Catch(ctx)
	had, err := b.update(account, "")
	if err == nil && !had {
		err = ErrNotFound
	}
	return err
}

// unreachable reports whether err is a keyring that could not be used
// (unavailable, or not answering): a place that cannot be read holds
// nothing a lookup would find there.
func unreachable(err error) bool {
	var ke *KeyringError
	return errors.As(err, &ke)
}
