package tokens

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/delivery"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/outfile"
)

// fake is a destination that ends as told, and counts its calls.
type fake struct {
	res   Result
	calls *int
}

func (f fake) Deliver(context.Context, makeapi.Token) Result {
	*f.calls++
	return f.res
}

var (
	took    = Result{Outcome: Delivered}
	refused = Result{Outcome: NotDelivered, Err: errors.New("refused")}
	doubt   = Result{Outcome: Unknown, Err: errors.New("doubt")}
)

func replacing(r Result) Result { r.Replaces = true; return r }

// TestHandoverRule is the rollback rule, one row per way a delivery ends:
// whether the new token lives, whether the old ones may go, what follows.
func TestHandoverRule(t *testing.T) {
	for _, tt := range []struct {
		name    string
		dests   []Result
		called  int  // destinations asked
		lives   bool // the new token is still at Make
		revoke  bool // d.RevokeOld
		unknown bool // the error is an *UnknownError
		failed  int  // failures after delivery
	}{
		{"delivered", []Result{took}, 1, true, true, false, 0},
		{"refused: revoked again, the old kept", []Result{refused}, 1, false, false, false, 0},
		{"refused first: nobody else gets it", []Result{refused, took}, 1, false, false, false, 0},
		{"in doubt: nothing revoked, both named", []Result{doubt}, 1, true, false, true, 0},
		{"in doubt, then a copy: still in doubt", []Result{doubt, took}, 2, true, false, true, 0},
		{"a copy fails after delivery: old may go", []Result{took, refused}, 2, true, true, false, 1},
		{"storage refuses after the command took it: old stays", []Result{took, replacing(refused)}, 2, true, false, false, 1},
		{"storage took it, a copy failed: old may go", []Result{replacing(took), refused}, 2, true, true, false, 1},
		{"a copy fails after delivery: the next still gets it", []Result{took, refused, replacing(took)}, 3, true, true, false, 1},
		{"a copy fails after delivery, then storage refuses: old stays", []Result{took, refused, replacing(refused)}, 3, true, false, false, 2},
		{"a problem on the way does not make it undelivered", []Result{{Outcome: Delivered, Err: errors.New("slow")}}, 1, true, true, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z, client := zone(t)
			tok := listed(z.AddToken("new", nil, time.Time{}))
			old := []makeapi.Token{listed(z.AddToken("old", nil, time.Time{}))}
			calls := 0
			var dests []Destination
			for _, r := range tt.dests {
				dests = append(dests, fake{res: r, calls: &calls})
			}
			d, err := Handover(context.Background(), Revoker{Client: client, Zone: "eu1"}, tok, dests, old)
			if calls != tt.called {
				t.Errorf("%d destinations asked, want %d", calls, tt.called)
			}
			if z.HasToken(tok.Token) != tt.lives {
				t.Errorf("the new token lives: %v, want %v", z.HasToken(tok.Token), tt.lives)
			}
			if !z.HasToken(old[0].Token) {
				t.Error("the old token was revoked by the handover")
			}
			if d.RevokeOld() != tt.revoke {
				t.Errorf("RevokeOld = %v, want %v", d.RevokeOld(), tt.revoke)
			}
			var ue *UnknownError
			if errors.As(err, &ue) != tt.unknown || (tt.unknown && !outcome.IsUnknown(err)) {
				t.Errorf("err = %v, unknown want %v", err, tt.unknown)
			}
			switch {
			case !tt.lives && (err == nil || !strings.Contains(err.Error(), "the new token was revoked again and the old one kept")):
				t.Errorf("err = %v, want the undo said", err)
			case tt.lives && !tt.unknown && err != nil:
				t.Errorf("err = %v for a delivered token", err)
			case tt.unknown && !strings.Contains(err.Error(), "nothing was revoked, so the new token (created "+tok.Created+") and the old one still work"):
				t.Errorf("err = %v, want both tokens named", err)
			}
			if len(d.Failures()) != tt.failed {
				t.Errorf("failures after delivery = %v, want %d", d.Failures(), tt.failed)
			}
		})
	}
}

// TestCommandDestination: a store command holds the token only when
// delivery proves it; a stopped one that read it may; any outcome the
// layer does not know counts as "may hold" (the safe default).
func TestCommandDestination(t *testing.T) {
	tok := makeapi.Token{Token: "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", Created: "c"}
	run := func(ctx context.Context, args ...string) Result {
		return Command{Command: &delivery.Command{Args: args}, Zone: "eu1"}.Deliver(ctx, tok)
	}
	ctx := context.Background()
	if r := run(ctx, "sh", "-c", "cat > /dev/null"); r.Outcome != Delivered || r.Err != nil || r.Command.ExitCode != 0 {
		t.Errorf("a command that read it all and exited 0: %+v", r)
	}
	if r := run(ctx, "sh", "-c", "exit 3"); r.Outcome != NotDelivered || !strings.Contains(r.Err.Error(), "zone eu1: the store command sh exited with 3") {
		t.Errorf("a command that exited 3: %+v", r)
	}
	if r := run(ctx, "true"); r.Outcome != NotDelivered {
		t.Errorf("a command that exited 0 without reading: %+v (%v)", r, r.Err)
	}
	if r := run(ctx, "no-such-command-here"); r.Outcome != NotDelivered || !strings.Contains(r.Err.Error(), "could not be started") {
		t.Errorf("a command that cannot start: %+v", r)
	}
	// Stopped by an interrupt after reading: may hold it; the error says
	// it was interrupted (exit 130).
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(300*time.Millisecond, cancel)
	r := Command{Command: &delivery.Command{Args: []string{"sh", "-c", "cat > /dev/null; sleep 10"}, Grace: 100 * time.Millisecond}, Zone: "eu1"}.Deliver(cctx, tok)
	var te *Error
	if r.Outcome != Unknown || !errors.As(r.Err, &te) || te.Kind != Interrupted {
		t.Errorf("stopped after reading: %+v (%v)", r, r.Err)
	}
	// An outcome the layer does not know: may hold.
	if r := commandResult(delivery.Result{Outcome: delivery.Outcome(99)}, "x"); r.Outcome != Unknown {
		t.Errorf("an unknown outcome: %+v", r)
	}
}

// TestStorageDestination: storing the new credential, and when storing
// fails, what storage holds afterwards decides.
func TestStorageDestination(t *testing.T) {
	tok := makeapi.Token{Token: "new"}
	errSave := errors.New("keyring refused")
	for _, tt := range []struct {
		name string
		// save fails with this error for the new token (nil: it stores);
		// after, stored is what storage then holds.
		saveErr   error
		after     string
		putBack   error
		outcome   Outcome
		stored    string // what storage holds in the end
		says      string
		putBackOK bool
	}{
		{"stored", nil, "", nil, Delivered, "new", "", false},
		{"failed, but the new one is there after all", errSave, "new", nil, Delivered, "new", "the new token is stored, with a problem", false},
		{"not answered in time: may land, nothing put back", outcome.Unknown(errSave), "", nil, Unknown, "", "storing the new token as the zone's credential", false},
		{"failed, the old one is still there", errSave, "old", nil, NotDelivered, "old", "storing the new token", false},
		{"failed and the old one gone: put back", errSave, "", nil, NotDelivered, "old", "storing the new token", true},
		{"failed, and putting back fails", errSave, "", errors.New("locked"), NotDelivered, "", "could not be put back into storage either (locked)", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stored, putBack := "old", false
			s := Storage{Zone: "eu1", Old: "old",
				Save: func(_ context.Context, token string) error {
					if token == "old" {
						putBack = true
						if tt.putBack != nil {
							return tt.putBack
						}
						stored = "old"
						return nil
					}
					if tt.saveErr != nil {
						stored = tt.after
						return tt.saveErr
					}
					stored = token
					return nil
				},
				Stored: func(context.Context) (string, error) { return stored, nil },
			}
			r := s.Deliver(context.Background(), tok)
			if r.Outcome != tt.outcome || !r.Replaces || stored != tt.stored || putBack != tt.putBackOK {
				t.Errorf("outcome %v, stored %q, put back %v; want %v, %q, %v", r.Outcome, stored, putBack, tt.outcome, tt.stored, tt.putBackOK)
			}
			if (tt.says == "") != (r.Err == nil) || (r.Err != nil && !strings.Contains(r.Err.Error(), tt.says)) {
				t.Errorf("err = %v, want it to say %q", r.Err, tt.says)
			}
		})
	}
}

// TestFileAndWriter: a file prepared by outfile and a writer deliver; a
// write that fails does not.
func TestFileAndWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	f, err := outfile.Prepare(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Discard()
	tok := makeapi.Token{Token: "3f2a9c1d-7b4e"}
	if r := (File{File: f, Path: path, Zone: "eu1"}).Deliver(context.Background(), tok); r.Outcome != Delivered {
		t.Fatalf("file: %+v", r)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != tok.Token+"\n" {
		t.Errorf("file holds %q, %v", data, err)
	}
	w := Writer{Name: "standard output", Zone: "eu1", Write: func(makeapi.Token) error { return errors.New("broken pipe") }}
	if r := w.Deliver(context.Background(), tok); r.Outcome != NotDelivered || r.Err.Error() != "zone eu1: writing the new token to standard output: broken pipe" {
		t.Errorf("writer: %+v", r)
	}
}

// TestHandoverRevokesForReal: with the emulator, a token nobody received
// is gone, and an unknown delivery of a create names the token to check.
func TestHandoverRevokesForReal(t *testing.T) {
	z, client := zone(t)
	tok := listed(z.AddToken("new", nil, time.Time{}))
	calls := 0
	_, err := Handover(context.Background(), Revoker{Client: client, Zone: "eu1"}, tok, []Destination{fake{res: doubt, calls: &calls}}, nil)
	want := "doubt; the new token (created " + tok.Created + ") was kept: revoke it with `maketoken revoke -z eu1 " + tok.Created + "` if the store does not hold it"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	_, err = Handover(context.Background(), Revoker{Client: client, Zone: "eu1"}, tok, []Destination{fake{res: refused, calls: &calls}}, nil)
	if z.HasToken(tok.Token) {
		t.Error("an undelivered token lives")
	}
	// Without old tokens, none is said to be kept.
	if want := "refused; the new token was revoked again, nothing was changed"; err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// TestUnknownError: an unknown delivery names the old tokens that still
// work, and is still what caused it (an interrupt exits 130).
func TestUnknownError(t *testing.T) {
	cause := &Error{Kind: Interrupted, Err: errors.New("zone eu1: the store command sh was stopped by an interrupt after it read the token")}
	tok := makeapi.Token{Created: "2026-01-02T03:04:05.678Z"}
	one := &UnknownError{Err: cause, Zone: "eu1", New: tok, Old: []makeapi.Token{{Created: "a"}}}
	two := &UnknownError{Err: cause, Zone: "eu1", New: tok, Old: []makeapi.Token{{Created: "a"}, {Created: "b"}}}
	if !strings.Contains(one.Error(), "and the old one still work") || !strings.Contains(two.Error(), "and the old ones still work") {
		t.Errorf("one old: %q\ntwo old: %q", one, two)
	}
	var te *Error
	if !errors.As(two, &te) || te.Kind != Interrupted || !outcome.IsUnknown(two) {
		t.Errorf("%v: not the interrupt it came from", two)
	}
}

// TestDeliveryCommand: how a store command ended is found among the
// destinations' results.
func TestDeliveryCommand(t *testing.T) {
	ended := &delivery.Result{Outcome: delivery.Failed, ExitCode: 3}
	d := Delivery{Results: []Result{took, {Outcome: NotDelivered, Command: ended}, took}}
	if d.Command() != ended {
		t.Errorf("Command() = %+v, want the store command's result", d.Command())
	}
	if c := (Delivery{Results: []Result{took, refused}}).Command(); c != nil {
		t.Errorf("no store command, yet Command() = %+v", c)
	}
}
