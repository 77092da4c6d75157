package redact

import (
	"strconv"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	r := New("s3cr3t-value-1234")
	cases := []stringCase{
		{"key s3cr3t-value-1234 here", "s3cr3t", Mark},
		{`{"token":"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"}`, "3f2a9c1d", Mark},
		{`{"token": "abcdefnodashes"}`, "abcdefnodashes", Mark},
		{`{"token":"3f2a9c1d-****-****-****-************"}`, "", "3f2a9c1d-****"},
		{"Authorization: Token abcdef0123", "abcdef0123", "Authorization: Token " + Mark},
		{"created 2024-03-27T05:53:27.360Z", "", "2024-03-27T05:53:27.360Z"},
	}
	checkStrings(t, r, cases)
}

// stringCase is a text, what String must take out of it ("": nothing to
// check) and what must stay (or the mark that replaced a secret).
type stringCase struct{ in, mustNot, must string }

func checkStrings(t *testing.T, r *Redactor, cases []stringCase) {
	t.Helper()
	for _, c := range cases {
		got := r.String(c.in)
		if c.mustNot != "" && strings.Contains(got, c.mustNot) {
			t.Errorf("String(%q) = %q, still holds %q", c.in, got, c.mustNot)
		}
		if !strings.Contains(got, c.must) {
			t.Errorf("String(%q) = %q, want it to hold %q", c.in, got, c.must)
		}
	}
}

func TestNilAndShort(t *testing.T) {
	var r *Redactor
	r.Add("abc")
	if got := r.String("plain text"); got != "plain text" {
		t.Fatalf("got %q", got)
	}
	r2 := New("ab")
	if got := r2.String("abab"); got != "abab" {
		t.Fatalf("short secrets must be ignored, got %q", got)
	}
}

func TestOverlappingSecrets(t *testing.T) {
	// "abcdef-1234" and "1234-ghijkl" overlap in "abcdef-1234-ghijkl";
	// replacing one first must not leave the other behind in part.
	r := New("abcdef-1234", "1234-ghijkl", "cdef-1")
	got := r.String("x abcdef-1234-ghijkl y")
	if got != "x "+Mark+" y" {
		t.Fatalf("got %q", got)
	}
	for _, part := range []string{"abcdef", "ghijkl", "1234"} {
		if strings.Contains(got, part) {
			t.Errorf("%q left in %q", part, got)
		}
	}
}

func TestSecretOfAnyShape(t *testing.T) {
	secret := "NoDashesAtAll0123456789"
	r := New()
	r.Add(secret)
	for _, in := range []string{
		secret,
		"error: Token " + secret + " rejected",
		`{"other":"` + secret + `"}`,
		"url?x=" + secret + "&y",
	} {
		if got := r.String(in); strings.Contains(got, secret) {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
}

func TestAuthorizationHeaderAnyCase(t *testing.T) {
	for _, in := range []string{
		"authorization: Token 0123456789abcdef",
		"AUTHORIZATION:Bearer 0123456789abcdef",
		"> Authorization: 0123456789abcdef",
		"line one\nAuthorization: Token 0123456789abcdef\n",
	} {
		got := New().String(in)
		if strings.Contains(got, "0123456789abcdef") || !strings.Contains(got, Mark) {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
}

func TestTokenFieldForms(t *testing.T) {
	for _, in := range []string{
		`{"token" : "plainsecretvalue"}`,
		`{"apiToken":{"token":"esc\"aped\\secret","label":"x"}}`,
		"{\n  \"token\": \"pretty-printed-secret\"\n}",
	} {
		got := New().String(in)
		for _, s := range []string{"plainsecretvalue", "aped", "pretty-printed-secret"} {
			if strings.Contains(got, s) {
				t.Errorf("String(%q) = %q still holds %q", in, got, s)
			}
		}
	}
	// A masked listing stays readable.
	masked := `{"token":"3f2a9c1d-****-****-****-************","label":"ci"}`
	if got := New().String(masked); got != masked {
		t.Errorf("masked token changed: %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New()
	done := make(chan struct{})
	go func() {
		for i := range 100 {
			r.Add(strings.Repeat("s", 6+i))
		}
		close(done)
	}()
	for range 100 {
		_ = r.String("ssssss text")
	}
	<-done
	if got := r.String("x ssssss y"); got != "x "+Mark+" y" {
		t.Fatalf("got %q", got)
	}
}

// FuzzRedact checks that a known secret never survives redaction, whatever
// the text around it.
func FuzzRedact(f *testing.F) {
	f.Add("3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", "Authorization: Token 3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", "x")
	f.Add("abcdefgh", `{"token":"abcdefgh"}`, "abcdefghabcdefgh")
	f.Add("secret-one", "secret-onesecret-one", "ne-secre")
	f.Add("D]abcdef", "[REDACTED]abcdef", "abc")
	f.Fuzz(func(t *testing.T, secret, text, other string) {
		// A secret that looks like part of the mark cannot be told apart
		// from it; real tokens never hold brackets.
		if len(secret) < 6 || strings.ContainsAny(secret, "[]") || strings.Contains(Mark, secret) {
			t.Skip()
		}
		// Longer secrets and texts only cost time: the work grows with the
		// product of their lengths where a long secret repeats itself
		// (BenchmarkKnownLongSecret, TestLongRepeatingSecret), and the
		// fuzzer would spend its run on a few of them.
		if len(secret) > 256 || len(text) > 4096 || len(other) > 256 {
			t.Skip()
		}
		r := New(secret, other)
		in := text + secret + text
		got := r.String(in)
		if strings.Contains(got, secret) {
			t.Fatalf("String(%q) = %q still holds the secret %q", in, got, secret)
		}
		if got2 := r.String(got); strings.Contains(got2, secret) {
			t.Fatalf("second pass %q holds the secret", got2)
		}
	})
}

func TestAuthorizationInAPathIsNotAHeader(t *testing.T) {
	in := "GET /users/me/current-authorization: 401 Unauthorized: Invalid credentials."
	if got := New().String(in); got != in {
		t.Errorf("String(%q) = %q", in, got)
	}
}

// A server or proxy that echoes a known secret altered (without dashes,
// upper-cased, or a long piece of it) does not get it shown; the visible
// first group of a masked token stays readable.
func TestAlteredEchoes(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	r := New(secret)
	checkStrings(t, r, []stringCase{
		{"bad token 3f2a9c1d7b4e4c1a9d2e5f6a7b8c9d0e!", "7b4e4c1a", "bad token " + Mark + "!"},
		{"bad token 3F2A9C1D-7B4E-4C1A-9D2E-5F6A7B8C9D0E", "7B4E", Mark},
		{"tail: 4c1a-9d2e-5f6a7b8c9d0e.", "5f6a7b8c", "tail: " + Mark + "."},
		{"dashless tail: 4c1a9d2e5f6a7b8c9d0e", "5f6a7b8c", "dashless tail: " + Mark},
		{"middle 7b4e4c1a9d2e5f", "9d2e5f", "middle " + Mark},
		{"masked 3f2a9c1d-****-****-****-************", "", "masked 3f2a9c1d-****"},
		{"prefix 3f2a9c1d and group 5f6a7b8c9d0e", "", "prefix 3f2a9c1d and group "},
		{"short piece 9d2e-5f6", "", "short piece 9d2e-5f6"},
	})
}

func BenchmarkStringLargeTrace(b *testing.B) {
	r := New("3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", "NoDashesAtAll0123456789")
	text := strings.Repeat(`{"label":"ci","created":"2024-03-27T05:53:27.360Z","scope":["user:read"]},`, 10000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.String(text)
	}
}

// A long secret that repeats itself, in a text that repeats it too (the
// fuzzer's find: every piece of the secret occurs at every place of the
// text), is removed whole, an echo of a long piece of it too; it took
// seconds, the benchmark below has the figures.
func TestLongRepeatingSecret(t *testing.T) {
	secret := "abcd" + strings.Repeat("^", 4000)
	r := New(secret)
	text := "x" + secret + "y" + strings.Repeat("^", 4000) + "z^^^^^^^^^^^"
	if got, want := r.String(text), "x"+Mark+"y"+Mark+"z^^^^^^^^^^^"; got != want {
		t.Errorf("String = %.80q…, want %q", got, want)
	}
}

// BenchmarkKnownLongSecret: a long secret of one repeated character in a
// text that repeats it too, the shape the fuzzer found (every piece of the
// secret occurs at every place of the text).
func BenchmarkKnownLongSecret(b *testing.B) {
	for _, n := range []int{36, 500, 4000} {
		secret := "abcd" + strings.Repeat("^", n)
		r := New(secret)
		text := "x" + secret + "y" + strings.Repeat("^", n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				r.String(text)
			}
		})
	}
}
