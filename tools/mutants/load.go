package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// listedPackage is the part of `go list -json` this tool reads.
type listedPackage struct {
	ImportPath string
	Dir        string
	Name       string
	GoFiles    []string
	Export     string
	ImportMap  map[string]string
	DepOnly    bool
	Error      *struct{ Err string }
}

// pkg is one package parsed and, when its imports could be read, type
// checked. Types may be nil: mutants are then made from the syntax alone
// (a removed call then does not keep the variables it used in use, so a
// few more mutants do not compile).
type pkg struct {
	ImportPath string
	Dir        string
	Fset       *token.FileSet
	Files      []*srcFile
	Types      *types.Package
	Info       *types.Info
	TypeErr    error
	importer   types.Importer
}

// srcFile is one of a package's Go files, as read from disk.
type srcFile struct {
	Path string // absolute
	Name string // base name
	Src  []byte
	AST  *ast.File
}

// goCmd runs the go command in dir with env and returns its standard
// output; its standard error goes into the error.
func goCmd(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...) //nolint:gosec // the go command, with this tool's arguments
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", args[0], err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// loadPackages lists patterns (with their dependencies, whose export data
// the type checker reads), parses the packages the patterns name and type
// checks them.
func loadPackages(ctx context.Context, dir string, env []string, tags string, patterns []string) ([]*pkg, error) {
	args := []string{"list", "-e", "-json", "-export", "-deps"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "--")
	args = append(args, patterns...)
	out, err := goCmd(ctx, dir, env, args...)
	if err != nil {
		return nil, err
	}
	exports := map[string]string{}
	var targets []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var lp listedPackage
		if err := dec.Decode(&lp); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list: %w", err)
		}
		if lp.Error != nil && !lp.DepOnly {
			return nil, fmt.Errorf("%s: %s", lp.ImportPath, lp.Error.Err)
		}
		exports[lp.ImportPath] = lp.Export
		if !lp.DepOnly {
			targets = append(targets, lp)
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("no packages match %v", patterns)
	}
	var pkgs []*pkg
	for _, lp := range targets {
		p, err := parsePackage(lp, exports)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// parsePackage reads and parses the package's Go files for this platform
// (go list's GoFiles: files for other systems are not mutated, since
// their tests cannot run here) and type checks them against the export
// data go list made.
func parsePackage(lp listedPackage, exports map[string]string) (*pkg, error) {
	p := &pkg{ImportPath: lp.ImportPath, Dir: lp.Dir, Fset: token.NewFileSet()}
	var files []*ast.File
	for _, name := range lp.GoFiles {
		path := filepath.Join(lp.Dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(p.Fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, &srcFile{Path: path, Name: name, Src: src, AST: f})
		files = append(files, f)
	}
	lookup := func(path string) (io.ReadCloser, error) {
		if mapped, ok := lp.ImportMap[path]; ok {
			path = mapped
		}
		export := exports[path]
		if export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(export)
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Defs:  map[*ast.Ident]types.Object{},
		Uses:  map[*ast.Ident]types.Object{},
	}
	p.importer = importer.ForCompiler(p.Fset, "gc", lookup)
	conf := types.Config{Importer: p.importer}
	if tp, err := conf.Check(lp.ImportPath, p.Fset, files, info); err != nil {
		p.TypeErr = err
	} else {
		p.Types, p.Info = tp, info
	}
	return p, nil
}
