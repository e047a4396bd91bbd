package templates

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a problem in one part of a message, with its place so that the
// campaign editor can point at it.
type Error struct {
	Part   string // "subject", "html" or "text"
	Line   int    // 1-based; 0 when the place is not known
	Column int    // 1-based, counted in characters
	Msg    string
}

// Error reads like a compiler message: "html:3:14: unknown field Nmae in .Contact".
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Part + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Part, e.Line, e.Column, e.Msg)
}

func errorAt(part, src string, off int, format string, args ...any) *Error {
	line, col := position(src, off)
	return &Error{Part: part, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// position converts a byte offset into a line and a column; columns count
// characters because that is what an editor shows.
func position(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return strings.Count(before, "\n") + 1, utf8.RuneCountInString(before[lineStart:]) + 1
}

// lineOffset is the byte offset at which the 1-based line n starts.
func lineOffset(src string, n int) int {
	off := 0
	for ; n > 1; n-- {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return off
}

var execErrRE = regexp.MustCompile(`(?s)^template: [^:]*:(\d+):(\d+): (?:executing "[^"]*" at )?(.*)$`)

// renderError places an execution error. text/template reports byte
// columns counted from 0; they become the character columns Compile uses.
func renderError(part, src string, err error) error {
	m := execErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Part: part, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	off := lineOffset(src, line) + col
	return errorAt(part, src, nodeStart(src, off, m[3]), "%s", explainExec(m[3]))
}

// nodeStart moves off back to the start of the node an execution error
// quotes ("<.Event.Title>: ..."): the engine points at the node's last
// field, the reader expects the whole expression.
func nodeStart(src string, off int, msg string) int {
	if !strings.HasPrefix(msg, "<") {
		return off
	}
	node, _, ok := strings.Cut(msg[1:], ">: ")
	if !ok {
		return off
	}
	i := strings.LastIndex(src[:min(len(src), off+len(node))], node)
	if i < 0 || i > off {
		return off
	}
	return i
}

// internalNames hides the types templates really execute on (see view),
// which mean nothing to the person who wrote the template.
var internalNames = strings.NewReplacer(
	"*templates.eventView", "Event",
	"*templates.view", "Data",
	"*templates.eventTime", "time.Time",
	"templates.eventTime", "time.Time",
)

func explainExec(msg string) string {
	if strings.Contains(msg, "nil pointer evaluating *templates.eventView") {
		at, _, _ := strings.Cut(msg, ": ")
		return at + ": the campaign has no event; put event fields inside {{ with .Event }}"
	}
	return internalNames.Replace(msg)
}
