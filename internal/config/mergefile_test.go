package config

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/spf13/viper"
)

// TestMergeFileAsViper: mergeFile gives viper the same settings, and the
// same error, as viper's own MergeConfig, for config files of the
// plainest YAML and for everything else (which it reads with the YAML
// library rather than through viper's registry of codecs).
func TestMergeFileAsViper(t *testing.T) {
	files := []string{
		"",
		"zone: eu2\n",
		"zone: \"eu2\"\ntimeout: 45\ndebug: true\n",
		"Zones:\n  EU1:\n    URL: 'https://eu1.make.com/api/v2'\n",
		"zones: {eu1: {url: https://eu1.make.com/api/v2}}\n",
		"a: &x {b: c}\nd: *x\n",
		"zone: eu2\nzone: eu1\n",
		"zones: [unclosed\n",
		"zone:\teu1\n\tzones: x\n",
		"- a\n- b\n",
		"just a string\n",
		"~\n",
		"key: [1, 2]\n",
	}
	for _, data := range files {
		want := viper.New()
		want.SetConfigType("yaml")
		wantErr := want.MergeConfig(bytes.NewReader([]byte(data)))
		got := viper.New()
		gotErr := mergeFile(got, []byte(data))
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("mergeFile(%q): error %v, viper's MergeConfig %v", data, gotErr, wantErr)
			continue
		}
		if !reflect.DeepEqual(got.AllSettings(), want.AllSettings()) {
			t.Errorf("mergeFile(%q) = %#v, viper's MergeConfig %#v", data, got.AllSettings(), want.AllSettings())
		}
	}
}
