package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// The statement mutants. Each is one textual edit of one file.
const (
	opCall   = "call"   // a call statement (or defer, go) removed
	opReturn = "return" // return …, err → the zero values and a nil error
	opIf     = "if"     // an if condition negated
	opPlus   = "const+1"
	opMinus  = "const-1"
)

// Mutant is one change to one file of a package.
type Mutant struct {
	Pkg    string `json:"package"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Col    int    `json:"column"`
	Op     string `json:"op"`
	Func   string `json:"func"`
	Desc   string `json:"change"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`

	path       string
	start, end int // byte offsets in the file
	repl       string
}

// ID names the mutant on the command line (-only) and in reports:
// file:line:column:op.
func (m *Mutant) ID() string {
	return fmt.Sprintf("%s:%d:%d:%s", m.File, m.Line, m.Col, m.Op)
}

// Apply returns src with the mutant's edit made.
func (m *Mutant) Apply(src []byte) []byte {
	out := make([]byte, 0, len(src)+len(m.repl))
	out = append(out, src[:m.start]...)
	out = append(out, m.repl...)
	return append(out, src[m.end:]...)
}

// generator walks one file and collects its mutants.
type generator struct {
	p     *pkg
	f     *srcFile
	stack []ast.Node
	out   []*Mutant
}

// mutantsOf returns every mutant of the package's files, in file order.
func mutantsOf(p *pkg) []*Mutant {
	var all []*Mutant
	for _, f := range p.Files {
		g := &generator{p: p, f: f}
		ast.Inspect(f.AST, g.visit)
		all = append(all, g.out...)
	}
	return all
}

func (g *generator) visit(n ast.Node) bool {
	if n == nil {
		g.stack = g.stack[:len(g.stack)-1]
		return true
	}
	switch n := n.(type) {
	case *ast.ImportSpec:
		return false
	case *ast.ExprStmt:
		if _, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && g.inList(n) {
			g.removeCall(n)
		}
	case *ast.DeferStmt:
		if g.inList(n) {
			g.removeCall(n)
		}
	case *ast.GoStmt:
		if g.inList(n) {
			g.removeCall(n)
		}
	case *ast.ReturnStmt:
		g.dropError(n)
	case *ast.IfStmt:
		g.add(n.Cond.Pos(), n.Cond.Pos(), n.Cond.End(), opIf,
			"negated: if "+g.short(n.Cond), "!("+g.text(n.Cond)+")")
	case *ast.BasicLit:
		if n.Kind == token.INT && !g.isArrayLen(n) {
			g.shiftConst(n)
		}
	}
	g.stack = append(g.stack, n)
	return true
}

// inList says whether stmt stands in a statement list (a block, a case,
// a labelled statement), where it can be replaced by other statements;
// not, say, the post statement of a for loop.
func (g *generator) inList(stmt ast.Stmt) bool {
	switch parent := g.parent().(type) {
	case *ast.BlockStmt:
		return contains(parent.List, stmt)
	case *ast.CaseClause:
		return contains(parent.Body, stmt)
	case *ast.CommClause:
		return contains(parent.Body, stmt)
	case *ast.LabeledStmt:
		return parent.Stmt == stmt
	}
	return false
}

func contains(list []ast.Stmt, s ast.Stmt) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (g *generator) parent() ast.Node {
	if len(g.stack) == 0 {
		return nil
	}
	return g.stack[len(g.stack)-1]
}

func (g *generator) isArrayLen(lit *ast.BasicLit) bool {
	at, ok := g.parent().(*ast.ArrayType)
	return ok && at.Len == lit
}

// removeCall replaces a call statement by statements that keep in use the
// local variables and imported functions it used, so that the mutant
// compiles where the call was their only use.
func (g *generator) removeCall(stmt ast.Stmt) {
	keep := g.blanks(stmt, stmt.Pos())
	repl := "{}"
	if len(keep) > 0 {
		repl = strings.Join(keep, "; ")
	}
	g.add(stmt.Pos(), stmt.Pos(), stmt.End(), opCall, "removed: "+g.short(stmt), repl)
}

// dropError turns `return …, err` (and `return f()` where f returns an
// error last) into a return of the zero values with a nil error. What the
// dropped expressions did (a call) is still done: only their result is
// lost.
func (g *generator) dropError(ret *ast.ReturnStmt) {
	ft := g.enclosingFunc()
	if ft == nil || ft.Results == nil || len(ret.Results) == 0 {
		return
	}
	var results []string
	for _, field := range ft.Results.List {
		n := max(1, len(field.Names))
		for range n {
			results = append(results, g.text(field.Type))
		}
	}
	if results[len(results)-1] != "error" {
		return
	}
	single := len(ret.Results) == 1 && len(results) > 1 // return f()
	if !single {
		if len(ret.Results) != len(results) {
			return
		}
		if id, ok := ret.Results[len(ret.Results)-1].(*ast.Ident); ok && id.Name == "nil" {
			return
		}
	}
	var pre []string
	if single {
		pre = append(pre, strings.Repeat("_, ", len(results)-1)+"_ = "+g.text(ret.Results[0]))
	} else {
		for _, e := range ret.Results {
			if hasCall(e) {
				pre = append(pre, "_ = "+g.text(e))
			} else {
				pre = append(pre, g.blanks(e, ret.Pos())...)
			}
		}
	}
	zeros := make([]string, len(results))
	for i, t := range results {
		zeros[i] = zeroOf(t)
	}
	zeros[len(zeros)-1] = "nil"
	repl := "return " + strings.Join(zeros, ", ")
	if len(pre) > 0 {
		repl = "{ " + strings.Join(pre, "; ") + "; " + repl + " }"
	}
	g.add(ret.Pos(), ret.Pos(), ret.End(), opReturn,
		g.short(ret)+" → return "+strings.Join(zeros, ", "), repl)
}

// shiftConst makes the two mutants of an integer literal, +1 and -1,
// written in the literal's own base (0o700 stays octal).
func (g *generator) shiftConst(lit *ast.BasicLit) {
	v, err := strconv.ParseInt(lit.Value, 0, 64)
	if err != nil {
		return
	}
	for _, d := range []int64{1, -1} {
		nv := v + d
		op := opPlus
		if d < 0 {
			op = opMinus
		}
		text := formatLike(lit.Value, nv)
		g.add(lit.Pos(), lit.Pos(), lit.End(), op, lit.Value+" → "+text, text)
	}
}

// formatLike writes v in the base and with the prefix of the literal lit.
func formatLike(lit string, v int64) string {
	if v < 0 {
		return "(" + strconv.FormatInt(v, 10) + ")"
	}
	lower := strings.ToLower(lit)
	switch {
	case strings.HasPrefix(lower, "0x"):
		return lit[:2] + strconv.FormatInt(v, 16)
	case strings.HasPrefix(lower, "0b"):
		return lit[:2] + strconv.FormatInt(v, 2)
	case strings.HasPrefix(lower, "0o"):
		return lit[:2] + strconv.FormatInt(v, 8)
	case len(lit) > 1 && lit[0] == '0':
		return "0" + strconv.FormatInt(v, 8)
	}
	return strconv.FormatInt(v, 10)
}

// zeroOf is the zero value of a type written as t in the source.
func zeroOf(t string) string {
	switch t {
	case "error", "any":
		return "nil"
	case "string":
		return `""`
	case "bool":
		return "false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
		"uint32", "uint64", "uintptr", "byte", "rune", "float32", "float64":
		return "0"
	}
	for _, prefix := range []string{"*", "[]", "map[", "chan ", "<-chan", "func(", "interface{"} {
		if strings.HasPrefix(t, prefix) {
			return "nil"
		}
	}
	return "*new(" + t + ")"
}

// blanks returns `_ = v` for each local variable declared before pos that
// node uses, and `_ = pkg.F` for each imported function or variable, so
// that removing node does not leave them unused. It needs type
// information; without it, it returns nothing.
func (g *generator) blanks(node ast.Node, pos token.Pos) []string {
	info := g.p.Info
	if info == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	use := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, "_ = "+s)
		}
	}
	ast.Inspect(node, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok {
				if _, ok := info.Uses[x].(*types.PkgName); ok {
					switch info.Uses[n.Sel].(type) {
					case *types.Func, *types.Var:
						use(x.Name + "." + n.Sel.Name)
					}
					return false
				}
			}
		case *ast.Ident:
			if v, ok := info.Uses[n].(*types.Var); ok && g.isLocal(v) && v.Pos() < pos {
				use(n.Name)
			}
		}
		return true
	})
	return out
}

func (g *generator) isLocal(v *types.Var) bool {
	if v.IsField() || v.Parent() == nil || g.p.Types == nil {
		return false
	}
	return v.Parent() != g.p.Types.Scope() && v.Parent() != types.Universe
}

func hasCall(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if _, ok := n.(*ast.CallExpr); ok {
			found = true
		}
		return !found
	})
	return found
}

// enclosingFunc is the type of the innermost function around the node
// being visited.
func (g *generator) enclosingFunc() *ast.FuncType {
	for i := len(g.stack) - 1; i >= 0; i-- {
		switch f := g.stack[i].(type) {
		case *ast.FuncLit:
			return f.Type
		case *ast.FuncDecl:
			return f.Type
		}
	}
	return nil
}

// funcName names the function declared around the node being visited:
// Name or Type.Name.
func (g *generator) funcName() string {
	for _, n := range g.stack {
		fd, ok := n.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if fd.Recv == nil || len(fd.Recv.List) == 0 {
			return fd.Name.Name
		}
		t := fd.Recv.List[0].Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if ix, ok := t.(*ast.IndexExpr); ok {
			t = ix.X
		}
		if ix, ok := t.(*ast.IndexListExpr); ok {
			t = ix.X
		}
		if id, ok := t.(*ast.Ident); ok {
			return id.Name + "." + fd.Name.Name
		}
		return fd.Name.Name
	}
	return "(package)"
}

func (g *generator) add(at, start, end token.Pos, op, desc, repl string) {
	pos := g.p.Fset.PositionFor(at, false)
	g.out = append(g.out, &Mutant{
		Pkg:   g.p.ImportPath,
		File:  g.f.Name,
		Line:  pos.Line,
		Col:   pos.Column,
		Op:    op,
		Func:  g.funcName(),
		Desc:  desc,
		path:  g.f.Path,
		start: g.offset(start),
		end:   g.offset(end),
		repl:  repl,
	})
}

func (g *generator) offset(p token.Pos) int {
	return g.p.Fset.PositionFor(p, false).Offset
}

func (g *generator) text(n ast.Node) string {
	return string(g.f.Src[g.offset(n.Pos()):g.offset(n.End())])
}

// short is node's source on one line, cut to a readable length.
func (g *generator) short(n ast.Node) string {
	s := strings.Join(strings.Fields(g.text(n)), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}
