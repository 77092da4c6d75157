package credentials

import (
	"context"
	"errors"
)

// Backend is one place a stored credential can be kept: the OS keyring or
// the plain-text credentials file (the Linux kernel keyring is meant to be
// a third). A Store reads them in order and writes to the one chosen. An
// entry is named by an account: today the zone's name (see account).
//
// Every call is bounded in time: a backend that cannot answer fails the
// call rather than hang maketoken.
type Backend interface {
	// Source is what `credentialSource` shows for a credential kept here.
	Source() Source
	// Get returns the entry, or ErrNotFound.
	Get(ctx context.Context, account string) (string, error)
	// Set writes the entry, replacing any.
	Set(ctx context.Context, account, secret string) error
	// Delete removes the entry, or returns ErrNotFound if there was none.
	Delete(ctx context.Context, account string) error
}

// keyringBackend is the OS keyring, every call bounded (boundedKeyring).
type keyringBackend struct{ boundedKeyring }

func (keyringBackend) Source() Source { return SourceKeyring }

func (b keyringBackend) Get(ctx context.Context, account string) (string, error) {
	tok, err := b.get(ctx, account)
	if err == nil && tok == "" {
		err = ErrNotFound
	}
	return tok, err
}

func (b keyringBackend) Set(ctx context.Context, account, secret string) error {
	return b.set(ctx, account, secret)
}

func (b keyringBackend) Delete(ctx context.Context, account string) error {
	return b.delete(ctx, account)
}

// fileBackend is the plain-text credentials file.
type fileBackend struct{ *fileStore }

func (fileBackend) Source() Source { return SourceFile }

func (b fileBackend) Get(_ context.Context, account string) (string, error) {
	return b.get(account)
}

func (b fileBackend) Set(_ context.Context, account, secret string) error {
	_, err := b.update(account, secret)
	return err
}

func (b fileBackend) Delete(_ context.Context, account string) error {
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
