package scopes

import (
	"path"
	"strings"
)

// Administration reports whether name is one of Make's administration
// scopes: admin:*, apps:* or system:*. On cloud zones any user can put
// them on a token, but using them without being an administrator of the
// instance answers 403 (make-api.md), so a glob never picks them unless
// it names them.
func Administration(name string) bool {
	res, _, _ := strings.Cut(name, ":")
	return res == "admin" || res == "apps" || res == "system"
}

// namesAdministration reports whether a glob names an administration
// resource itself ("admin:*", "apps:r*", "system:?ead"), rather than
// matching one only through a wildcard in the resource ("*:read", "*").
func namesAdministration(glob string) bool {
	res, _, found := strings.Cut(glob, ":")
	if !found || isGlob(res) {
		return false
	}
	return Administration(res + ":")
}

// globMatches reports whether a glob picks the scope name s: it matches,
// and s is not an administration scope the glob reached only through a
// wildcard.
func globMatches(glob, s string) (matched, leftOut bool) {
	ok, _ := path.Match(glob, s)
	if !ok {
		return false, false
	}
	if Administration(s) && !namesAdministration(glob) {
		return false, true
	}
	return true, false
}
