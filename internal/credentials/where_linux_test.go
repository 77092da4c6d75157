package credentials

import (
	"context"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/maketoken/maketoken/internal/zones"
	"golang.org/x/sys/unix"
)

// opens counts the times a file is opened, by inotify (its closes are
// watched too: inotify merges identical events in a row).
func opens(t *testing.T, path string) func() int {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	t.Cleanup(func() { _ = unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_OPEN|unix.IN_CLOSE); err != nil {
		t.Fatal(err)
	}
	return func() int {
		n := 0
		buf := make([]byte, 64*unix.SizeofInotifyEvent)
		for {
			r, err := unix.Read(fd, buf)
			if errors.Is(err, unix.EAGAIN) {
				return n
			}
			if err != nil {
				t.Fatal(err)
			}
			for off := 0; off+unix.SizeofInotifyEvent <= r; {
				if binary.NativeEndian.Uint32(buf[off+4:off+8])&unix.IN_OPEN != 0 {
					n++
				}
				off += unix.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(buf[off+12:off+16]))
			}
		}
	}
}

// TestWhereEachReadsTheRecordOnce: WhereEach answers what Where answers
// for each zone, having read the record of accounts once for all of them
// (zones with six zones read it six times).
func TestWhereEachReadsTheRecordOnce(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, map[string]string{EnvVar("us2"): tokD})
	as.login(t, zone("eu1"), ann, tokA, OSKeyring())
	as.login(t, zone("eu1"), bob, tokB, OSKeyring())
	as.login(t, zone("us1"), ann, tokC, KindFile)
	as.login(t, zone("us2"), carol, tokD, OSKeyring())
	list := []zones.Zone{zone("eu1"), zone("eu2"), zone("us1"), zone("us2"), zone("celonis-eu1"), zone("celonis-us1")}

	opened := opens(t, as.opts.Accounts)
	var want []Place
	for _, z := range list {
		c, n, err := as.Where(ctx, z)
		p := Place{Source: SourceNone, Accounts: n}
		if err == nil || MustNotSend(err) {
			p.Source, p.EnvVar, p.Store = c.Source, c.EnvVar, c.Store
		}
		want = append(want, p)
	}
	if n := opened(); n != len(list) {
		t.Fatalf("Where opened the record %d times for %d zones; the count below means nothing", n, len(list))
	}
	places, failed := as.WhereEach(ctx, list)
	if n := opened(); n != 1 {
		t.Errorf("WhereEach opened the record of accounts %d times, want once", n)
	}
	if failed != nil {
		t.Errorf("WhereEach: %v", failed)
	}
	if !reflect.DeepEqual(places, want) {
		t.Errorf("WhereEach = %+v\nWhere each = %+v", places, want)
	}
	if want[0].Accounts != 2 || want[3].Source != SourceEnv || want[3].Accounts != 1 || want[2].Store != KindFile {
		t.Errorf("the places are not what was stored: %+v", want)
	}
}
