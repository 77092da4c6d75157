package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// settings holds maketoken's settings in their order of precedence: what
// a flag or the environment set, then the config file, then the defaults.
//
// It answers as viper did for maketoken's keys, which are flat (no
// nesting in a key's name): a key is found in any case, a setting whose
// value is empty (null) counts as not set, and a value reads as a string
// as spf13/cast writes it. TestSettingsAsViper holds it to viper's
// answers, for config files of every YAML shape and for every source.
//
// Not viper itself: viper, and spf13/cast and go-viper/mapstructure with
// it, linked 150 KB of code into maketoken that every start-up paid for,
// for the precedence of three maps (see docs/performance.md).
type settings struct {
	set, file, defaults map[string]any
}

func newSettings() *settings {
	return &settings{set: map[string]any{}, file: map[string]any{}, defaults: map[string]any{}}
}

// setDefault sets the value a key has when nothing else sets it.
func (s *settings) setDefault(key string, value any) { s.defaults[strings.ToLower(key)] = value }

// setValue sets a key from a flag or the environment: it wins over the
// config file and the default.
func (s *settings) setValue(key string, value any) { s.set[strings.ToLower(key)] = value }

// mergeFile adds the settings of a config file, read as a YAML mapping.
// Keys are found in any case, at every level.
func (s *settings) mergeFile(m map[string]any) {
	for k, v := range caseless(m) {
		s.file[k] = v
	}
}

// inFile reports whether the config file sets key (to a value other than
// null).
func (s *settings) inFile(key string) bool { return s.file[strings.ToLower(key)] != nil }

// get returns key's value from the first source that sets it, or nil.
func (s *settings) get(key string) any {
	key = strings.ToLower(key)
	for _, m := range []map[string]any{s.set, s.file, s.defaults} {
		if v := m[key]; v != nil {
			return v
		}
	}
	return nil
}

// getString returns key's value as a string: as written for a string,
// a boolean or a number, "" for a list, a mapping or nothing.
func (s *settings) getString(key string) string { return asString(s.get(key)) }

// asString writes a value of a YAML document as spf13/cast's ToString
// does: numbers in their shortest form, without an exponent.
func asString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []byte:
		return string(v)
	case fmt.Stringer: // a timestamp
		return v.String()
	}
	return ""
}

// caseless returns m with every key in lower case, in nested mappings
// and lists too. Where two keys differ only in case, the one that sorts
// last wins (the lower-case one over any other): viper kept either,
// depending on the order of a map's iteration.
func caseless(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out[strings.ToLower(k)] = caselessValue(m[k])
	}
	return out
}

func caselessValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return caseless(v)
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = e
		}
		return caseless(m)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = caselessValue(e)
		}
		return out
	}
	return v
}
