package templates

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"
)

// check parses one part and walks every branch of it, taken or not, so
// that a misspelt field is refused when the campaign is saved instead of
// failing the sends that happen to reach it.
func check(part, src string, oneLine bool) *Error {
	trees, err := parseTrees(part, src)
	if err != nil {
		return parseError(part, src, err)
	}
	c := &checker{part: part, src: src, trees: trees, oneLine: oneLine, called: map[string]bool{}, walked: map[string]bool{}}
	return c.run()
}

// checker holds what the walk needs to report a place. It keeps only the
// first error: the editor shows one at a time.
type checker struct {
	part, src string
	trees     map[string]*parse.Tree
	oneLine   bool            // the subject: literal text must not break the line
	called    map[string]bool // templates reached from the part itself
	walked    map[string]bool // {{template}} calls already walked, by name and dot type
	err       *Error
}

// shape is what the walk knows of a value: its Go type, nil when only the
// run time knows (an interface), and how the template names it.
type shape struct {
	t     reflect.Type
	label string
}

// scope is the dot and the variables visible at one point of a template.
type scope struct {
	dot  shape
	vars map[string]shape
}

func (s *scope) child(dot shape) *scope {
	vars := make(map[string]shape, len(s.vars))
	for k, v := range s.vars {
		vars[k] = v
	}
	return &scope{dot: dot, vars: vars}
}

var dataShape = shape{t: reflect.TypeFor[Data](), label: "."}

func (c *checker) run() *Error {
	root := c.trees[c.part]
	c.called[c.part] = true
	if root != nil {
		c.list(root.Root, &scope{dot: dataShape, vars: map[string]shape{"$": dataShape}})
	}
	// Templates defined but never called are still checked, with a dot
	// nothing is known about.
	for _, name := range slices.Sorted(maps.Keys(c.trees)) {
		if !c.called[name] {
			c.list(c.trees[name].Root, &scope{vars: map[string]shape{"$": {}}})
		}
	}
	return c.err
}

func (c *checker) fail(off int, format string, args ...any) {
	if c.err == nil {
		c.err = errorAt(c.part, c.src, off, format, args...)
	}
}

func (c *checker) list(l *parse.ListNode, sc *scope) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		c.node(n, sc)
	}
}

func (c *checker) node(n parse.Node, sc *scope) {
	switch n := n.(type) {
	case *parse.TextNode:
		c.text(n)
	case *parse.ActionNode:
		c.declare(n.Pipe, sc, c.pipe(n.Pipe, sc))
	case *parse.IfNode:
		c.branch(&n.BranchNode, sc, false)
	case *parse.WithNode:
		c.branch(&n.BranchNode, sc, true)
	case *parse.RangeNode:
		c.rangeNode(n, sc)
	case *parse.TemplateNode:
		c.template(n, sc)
	}
}

func (c *checker) text(n *parse.TextNode) {
	if !c.oneLine {
		return
	}
	if i := strings.IndexAny(string(n.Text), "\r\n"); i >= 0 {
		c.fail(int(n.Pos)+i, "the subject must be a single line")
	}
}

// branch walks {{if}} and {{with}}: variables declared in the pipeline are
// visible in both branches; with changes the dot of the first one only.
func (c *checker) branch(b *parse.BranchNode, sc *scope, with bool) {
	inner := sc.child(sc.dot)
	v := c.pipe(b.Pipe, inner)
	c.declare(b.Pipe, inner, v)
	body := inner.child(inner.dot)
	if with {
		body.dot = v
	}
	c.list(b.List, body)
	c.list(b.ElseList, inner.child(inner.dot))
}

func (c *checker) rangeNode(n *parse.RangeNode, sc *scope) {
	inner := sc.child(sc.dot)
	key, elem := elements(c.pipe(n.Pipe, inner))
	switch len(n.Pipe.Decl) {
	case 1:
		inner.vars[n.Pipe.Decl[0].Ident[0]] = elem
	case 2:
		inner.vars[n.Pipe.Decl[0].Ident[0]] = key
		inner.vars[n.Pipe.Decl[1].Ident[0]] = elem
	}
	c.list(n.List, inner.child(elem))
	c.list(n.ElseList, inner.child(sc.dot))
}

// template follows {{template "name" pipeline}} into the named template
// with the pipeline's shape as its dot, once per name and shape.
func (c *checker) template(n *parse.TemplateNode, sc *scope) {
	dot := c.pipe(n.Pipe, sc)
	tree, ok := c.trees[n.Name]
	if !ok {
		c.fail(c.nameStart(n), "unknown template %q", n.Name)
		return
	}
	c.called[n.Name] = true
	key := n.Name + "\x00" + typeName(dot.t)
	if c.walked[key] {
		return
	}
	c.walked[key] = true
	c.list(tree.Root, &scope{dot: dot, vars: map[string]shape{"$": dot}})
}

// nameStart finds the quoted name of a {{template}} call, which is where
// an unknown name should be shown.
func (c *checker) nameStart(n *parse.TemplateNode) int {
	if i := strings.LastIndex(c.src[:min(int(n.Pos), len(c.src))], strconv.Quote(n.Name)); i >= 0 {
		return i
	}
	return int(n.Pos)
}

func typeName(t reflect.Type) string {
	if t == nil {
		return "?"
	}
	return t.String()
}

func (c *checker) declare(p *parse.PipeNode, sc *scope, v shape) {
	if p == nil {
		return
	}
	for _, d := range p.Decl {
		sc.vars[d.Ident[0]] = v
	}
}

// pipe returns the shape of the pipeline's value: that of its last command.
func (c *checker) pipe(p *parse.PipeNode, sc *scope) shape {
	var v shape
	if p == nil {
		return v
	}
	for i, cmd := range p.Cmds {
		v = c.command(cmd, sc, i > 0)
	}
	return v
}

// command checks one command; piped says whether the previous command's
// value arrives as an extra, final argument.
func (c *checker) command(cmd *parse.CommandNode, sc *scope, piped bool) shape {
	for _, arg := range cmd.Args[1:] {
		c.operand(arg, sc, false)
	}
	nargs := len(cmd.Args) - 1
	if piped {
		nargs++
	}
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		return c.call(id, nargs)
	}
	return c.operand(cmd.Args[0], sc, nargs > 0)
}

func (c *checker) operand(n parse.Node, sc *scope, hasArgs bool) shape {
	switch n := n.(type) {
	case *parse.DotNode:
		return sc.dot
	case *parse.FieldNode:
		return c.fields(sc.dot, n.Ident, c.chainStart(n.Pos, n.String()), hasArgs)
	case *parse.VariableNode:
		start := c.chainStart(n.Pos, n.String()) + len(n.Ident[0])
		return c.fields(sc.vars[n.Ident[0]], n.Ident[1:], start, hasArgs)
	case *parse.ChainNode:
		return c.fields(c.operand(n.Node, sc, false), n.Field, int(n.Pos), hasArgs)
	case *parse.IdentifierNode:
		return c.call(n, 0)
	case *parse.PipeNode:
		v := c.pipe(n, sc)
		c.declare(n, sc, v)
		return v
	case *parse.StringNode:
		return shape{t: reflect.TypeFor[string](), label: n.Quoted}
	case *parse.BoolNode:
		return shape{t: reflect.TypeFor[bool](), label: n.String()}
	}
	return shape{}
}

// chainStart finds where a chain such as ".Contact.Nmae" begins: the parser
// records the position of its second element, not its first.
func (c *checker) chainStart(pos parse.Pos, text string) int {
	end := min(len(c.src), int(pos)+len(text))
	if i := strings.LastIndex(c.src[:end], text); i >= 0 {
		return i
	}
	return int(pos)
}

// fields follows .A.B.C from base; start is the offset of the first dot.
func (c *checker) fields(base shape, names []string, start int, hasArgs bool) shape {
	v, off := base, start
	for i, name := range names {
		off++ // past the dot, so the error points at the name itself
		t, method, ok := member(v.t, name)
		if !ok {
			c.unknownField(off, name, v)
			return shape{}
		}
		if hasArgs && !method && i == len(names)-1 {
			c.fail(off, "%s is a field, not a method: it takes no arguments", name)
		}
		v = shape{t: t, label: childLabel(v.label, name)}
		off += len(name)
	}
	return v
}

func (c *checker) unknownField(off int, name string, in shape) {
	if in.label == dataShape.label && in.t == dataShape.t {
		c.fail(off, "unknown field %s; the data has %s", name, strings.Join(fieldNames(in.t), ", "))
		return
	}
	c.fail(off, "unknown field %s in %s", name, in.label)
}

func fieldNames(t reflect.Type) []string {
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}

func childLabel(parent, name string) string {
	if parent == "." {
		return "." + name
	}
	return parent + "." + name
}

// member resolves name on a value of type t the way text/template does:
// a method first, then a struct field or a map key. Any key is accepted on
// a map, which is what leaves .Contact.Attributes free-form.
func member(t reflect.Type, name string) (result reflect.Type, method, ok bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface {
		return nil, true, true
	}
	if m, ok := reflect.PointerTo(t).MethodByName(name); ok {
		if m.Type.NumOut() == 0 {
			return nil, true, true
		}
		return known(m.Type.Out(0)), true, true
	}
	switch t.Kind() {
	case reflect.Struct:
		if f, ok := t.FieldByName(name); ok && f.IsExported() {
			return known(f.Type), false, true
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			return known(t.Elem()), false, true
		}
	}
	return nil, false, false
}

// known turns interface types into "unknown": what they hold is decided at
// run time.
func known(t reflect.Type) reflect.Type {
	if t != nil && t.Kind() == reflect.Interface {
		return nil
	}
	return t
}

// elements returns the shapes of the keys and elements {{range}} yields.
func elements(v shape) (key, elem shape) {
	t := v.t
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return shape{}, shape{}
	}
	label := "an element of " + v.label
	intT := reflect.TypeFor[int]()
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return shape{t: intT, label: "an index"}, shape{t: known(t.Elem()), label: label}
	case reflect.Map:
		return shape{t: known(t.Key()), label: "a key of " + v.label}, shape{t: known(t.Elem()), label: label}
	case reflect.Int, reflect.Int64:
		return shape{t: intT, label: label}, shape{t: intT, label: label}
	}
	return shape{}, shape{}
}

// call checks a function name and, for ours, the number of arguments.
func (c *checker) call(id *parse.IdentifierNode, nargs int) shape {
	if fn, ok := funcs[id.Ident]; ok {
		ft := reflect.TypeOf(fn)
		c.arity(id, ft, nargs)
		return shape{t: known(ft.Out(0)), label: "the result of " + id.Ident}
	}
	if t, ok := builtins[id.Ident]; ok {
		return shape{t: t, label: "the result of " + id.Ident}
	}
	c.fail(int(id.Pos), "unknown function %q", id.Ident)
	return shape{}
}

func (c *checker) arity(id *parse.IdentifierNode, ft reflect.Type, nargs int) {
	switch want := ft.NumIn(); {
	case ft.IsVariadic() && nargs < want-1:
		c.fail(int(id.Pos), "%s takes at least %s, got %d", id.Ident, plural(want-1, "argument"), nargs)
	case !ft.IsVariadic() && nargs != want:
		c.fail(int(id.Pos), "%s takes %s, got %d", id.Ident, plural(want, "argument"), nargs)
	}
}

// builtins are text/template's own functions with their result types, nil
// where the result depends on the arguments.
var builtins = map[string]reflect.Type{
	"and": nil, "or": nil, "not": reflect.TypeFor[bool](), "len": reflect.TypeFor[int](),
	"index": nil, "slice": nil, "call": nil,
	"print": reflect.TypeFor[string](), "printf": reflect.TypeFor[string](), "println": reflect.TypeFor[string](),
	"eq": reflect.TypeFor[bool](), "ne": reflect.TypeFor[bool](), "lt": reflect.TypeFor[bool](),
	"le": reflect.TypeFor[bool](), "gt": reflect.TypeFor[bool](), "ge": reflect.TypeFor[bool](),
	"html": reflect.TypeFor[string](), "js": reflect.TypeFor[string](), "urlquery": reflect.TypeFor[string](),
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
