package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/maketoken/maketoken/internal/readfile"
	"go.yaml.in/yaml/v3"
)

// fileStore is the plain-text credentials file that
// `login --store file` (--insecure-storage) writes: YAML, mode 0600,
// replaced atomically.
// A Store lives for one command: the file is read (and its mode checked)
// once, however many zones are looked up in it, and re-read before a
// change so that another process's change is not lost.
type fileStore struct {
	path string
	// warn is told, once, when the file can be read by other users.
	warn func(string)

	mu     sync.Mutex
	loaded bool
	tokens map[string]string
	err    error
	warned bool
}

// maxFileBytes bounds the credentials file: a few zones' tokens take a
// few hundred bytes.
const maxFileBytes = 1 << 20

type fileContents struct {
	Tokens map[string]string `yaml:"tokens"`
}

// readRecord reads one of the files this package keeps (the credentials
// file, the record of credential hosts, the record of accounts). With no
// path, or no such file, there is nothing: no data, no FileInfo, no error.
// Another failure is an error naming the file as what.
func readRecord(path string, limit int64, what string) ([]byte, fs.FileInfo, error) {
	if path == "" {
		return nil, nil, nil
	}
	data, fi, err := readfile.Read(path, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return data, fi, nil
}

// loadJSON reads the JSON record at path (see readRecord): a zero T when
// there is none or it is empty, an error naming it as what, and saying
// how to fix it, when it is not valid JSON.
func loadJSON[T any](path string, limit int64, what, fix string) (T, error) {
	var v T
	data, _, err := readRecord(path, limit, what)
	if err != nil || len(data) == 0 {
		return v, err
	}
	if err := json.Unmarshal(data, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("%s %s is not valid JSON (%s): %s", what, path, fix, firstLine(err.Error()))
	}
	return v, nil
}

// load reads and parses the file from disk.
func (f *fileStore) load() (map[string]string, error) {
	data, fi, err := readRecord(f.path, maxFileBytes, "the credentials file")
	if err != nil || fi == nil {
		return nil, err
	}
	if fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 && f.warn != nil && !f.warned {
		f.warned = true
		f.warn(fmt.Sprintf("the credentials file %s can be read by other users (mode %04o); run `chmod 600 %s`", f.path, fi.Mode().Perm(), f.path))
	}
	var c fileContents
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("the credentials file %s is not valid YAML (fix or remove it): %s", f.path, firstLine(err.Error()))
	}
	return c.Tokens, nil
}

func (f *fileStore) get(zone string) (string, error) {
	f.mu.Lock()
	if !f.loaded {
		f.tokens, f.err = f.load()
		f.loaded = true
	}
	m, err := f.tokens, f.err
	f.mu.Unlock()
	if err != nil {
		return "", err
	}
	if t, ok := m[zone]; ok && t != "" {
		return t, nil
	}
	return "", ErrNotFound
}

// update changes one zone's entry (an empty token removes it) and writes
// the file again atomically. It reports whether the file held the zone.
func (f *fileStore) update(zone, token string) (bool, error) {
	if f.path == "" {
		return false, errors.New("no credentials file configured")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loaded = false // whatever happens, read the file again next time
	m, err := f.load()
	if err != nil {
		return false, err
	}
	if m == nil {
		m = map[string]string{}
	}
	_, had := m[zone]
	if token == "" {
		if !had {
			return false, nil
		}
		delete(m, zone)
	} else {
		m[zone] = token
	}
	data, err := marshalSorted(m)
	if err != nil {
		return had, err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return had, fmt.Errorf("creating the credentials file's folder: %w", err)
	}
	return had, WriteFileAtomic(f.path, data, 0o600)
}

func marshalSorted(m map[string]string) ([]byte, error) {
	node := &yaml.Node{Kind: yaml.MappingNode}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		node.Content = append(node.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: k},
			&yaml.Node{Kind: yaml.ScalarNode, Value: m[k], Style: yaml.DoubleQuotedStyle})
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "tokens"}, node}}
	header := "# maketoken credentials, written by `maketoken login --insecure-storage`.\n# Plain text: keep this file private (mode 0600).\n"
	out, err := yaml.Marshal(root)
	if err != nil {
		return nil, err
	}
	return append([]byte(header), out...), nil
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder, created with perm, synced and renamed over path: readers see the
// old file or the new one, never half of one.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}
