package credentials

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/zonelock"
)

// User is a Make user as GET /users/me names them: the id is who they
// are, the email how people know them.
type User struct {
	ID    int64
	Email string
	Name  string
}

// Account is a Make user whose credential is stored for a zone. A zone
// has any number of accounts and at most one active one: the one used
// unless a command is told another (--user).
type Account struct {
	Zone string
	User
	Active bool
	// Store is where its credential is kept.
	Store Kind
	// Origin is the origin of the zone's URL the credential was checked
	// at when it was stored ("" for one logged in before that was
	// recorded: it is not checked).
	Origin string

	// entry is the key its credential has in the store.
	entry string
	// legacy is the fingerprint of the token in the zone's entry of the
	// release before accounts that the account was made from (""
	// if none): logout removes that entry too while it still holds it.
	legacy string
	// check is the fingerprint of the token maketoken last stored for it
	// (see fingerprint); refused that of a token found in its entry that
	// Make said belongs to another user (refusedBy).
	check     string
	refused   string
	refusedBy User
}

// Who is the account for people: its email, or its user id if Make gave
// no email.
func (a Account) Who() string {
	if a.Email != "" {
		return a.Email
	}
	return "user " + strconv.FormatInt(a.ID, 10)
}

// Matches reports whether who (an email, any case, or a user id) names
// the account.
func (a Account) Matches(who string) bool {
	who = strings.TrimSpace(who)
	if who == "" {
		return false
	}
	if strings.EqualFold(a.Email, who) {
		return true
	}
	id, err := strconv.ParseInt(who, 10, 64)
	return err == nil && id == a.ID
}

// The record of accounts: accounts.json, beside the record of credential
// hosts, mode 0600, replaced atomically, each change made under a file
// lock so that two maketoken processes (two logins, a login and an
// upgrade) cannot lose each other's account.
//
// It is a file of its own, not a part of credential-hosts.json, because
// the release before accounts rewrites that file with the fields it knows
// (only "origins") whenever it logs in or out: after a downgrade, one
// login would drop the record of every other account, and with it the
// only way to find their keyring entries again (a keyring cannot be
// listed). That release never touches accounts.json.
type accountsRecord struct {
	path string
	mu   sync.Mutex
}

// maxAccountsBytes bounds the record: a few lines per account.
const maxAccountsBytes = 1 << 20

type accountsFile struct {
	Version int                      `json:"version"`
	Zones   map[string]*zoneAccounts `json:"zones"`
}

type zoneAccounts struct {
	// Active is the user id of the zone's active account.
	Active   int64           `json:"active"`
	Accounts []accountRecord `json:"accounts"`
}

type accountRecord struct {
	ID     int64  `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`
	Entry  string `json:"entry"`
	Store  Kind   `json:"store"`
	Origin string `json:"origin,omitempty"`
	Check  string `json:"check,omitempty"`
	// Legacy: see Account.legacy.
	Legacy string `json:"legacy,omitempty"`
	// Refused is the fingerprint of a token found in the entry that
	// belongs to another user (RefusedID, RefusedEmail): it is not used
	// as this account's until the account logs in again.
	Refused      string `json:"refused,omitempty"`
	RefusedID    int64  `json:"refusedId,omitempty"`
	RefusedEmail string `json:"refusedEmail,omitempty"`
}

func (r accountRecord) account(zone string, active int64) Account {
	return Account{
		Zone:      zone,
		User:      User{ID: r.ID, Email: r.Email, Name: r.Name},
		Active:    r.ID == active,
		Store:     r.Store,
		Origin:    r.Origin,
		entry:     r.Entry,
		legacy:    r.Legacy,
		check:     r.Check,
		refused:   r.Refused,
		refusedBy: User{ID: r.RefusedID, Email: r.RefusedEmail},
	}
}

// accounts returns the zone's accounts in the order they were added. If
// the recorded active id names none of them (a record edited by hand),
// the first is active.
func (z *zoneAccounts) accounts(zone string) []Account {
	if z == nil {
		return nil
	}
	active := z.Active
	if !slices.ContainsFunc(z.Accounts, func(r accountRecord) bool { return r.ID == active }) && len(z.Accounts) > 0 {
		active = z.Accounts[0].ID
	}
	out := make([]Account, len(z.Accounts))
	for i, r := range z.Accounts {
		out[i] = r.account(zone, active)
	}
	return out
}

func (z *zoneAccounts) find(id int64) *accountRecord {
	for i := range z.Accounts {
		if z.Accounts[i].ID == id {
			return &z.Accounts[i]
		}
	}
	return nil
}

// entryKey is the key an account's credential has in a store:
// "ZONE/USER-ID" ("eu1/1001"). The release before accounts kept a zone's
// one credential under the zone's name ("eu1"); no account ever uses that
// key, so that release, run again after an upgrade, neither sees nor
// changes any account's credential (see Store.upgrade).
func entryKey(zone string, id int64) string {
	return zone + "/" + strconv.FormatInt(id, 10)
}

func (a *accountsRecord) load() (accountsFile, error) {
	return loadJSON[accountsFile](a.path, maxAccountsBytes, "the record of accounts", "fix it, or remove it and log in again")
}

// zone returns the zone's accounts as recorded.
func (a *accountsRecord) zone(zone string) ([]Account, error) {
	f, err := a.load()
	if err != nil {
		return nil, err
	}
	return f.Zones[zone].accounts(zone), nil
}

// errNoChange, returned by an update's change, leaves the record as it
// is without being an error.
var errNoChange = errors.New("no change")

// update changes the zone's accounts: under the record's lock, it reads
// the record, lets change edit the zone's part (created if missing) and
// writes the record again, unless change returns an error (then nothing
// is written, and that is the error; errNoChange is none). A zone left
// without accounts is removed from the record.
func (a *accountsRecord) update(ctx context.Context, zone string, change func(z *zoneAccounts) error) error {
	// A change begins: a signal must not cut it in two (see runctx).
	runctx.Catch(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	dir := filepath.Dir(a.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the folder of the record of accounts: %w", err)
	}
	lock, err := zonelock.AcquireFile(ctx, a.path+".lock")
	if err != nil {
		return fmt.Errorf("locking the record of accounts: %w", err)
	}
	defer func() { _ = lock.Release() }()
	f, err := a.load()
	if err != nil {
		return err
	}
	if f.Zones == nil {
		f.Zones = map[string]*zoneAccounts{}
	}
	z := f.Zones[zone]
	if z == nil {
		z = &zoneAccounts{}
	}
	if err := change(z); err != nil {
		if errors.Is(err, errNoChange) {
			return nil
		}
		return err
	}
	if len(z.Accounts) == 0 {
		delete(f.Zones, zone)
	} else {
		if z.find(z.Active) == nil {
			z.Active = z.Accounts[0].ID
		}
		f.Zones[zone] = z
	}
	f.Version = 1
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(a.path, append(data, '\n'), 0o600)
}

// fingerprint is what the record keeps of a token, to notice an entry
// that no longer holds the token maketoken stored there (an older
// maketoken logged in again, a hand edit): 64 bits of a SHA-256 of it.
// A token is a random 122-bit UUID, so this tells nothing about it that
// could be used; it only tells one token from another.
func fingerprint(token string) string {
	sum := sha256.Sum256([]byte("maketoken account check\x00" + token))
	return hex.EncodeToString(sum[:8])
}
