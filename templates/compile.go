package templates

import (
	"errors"
	htemplate "html/template"
	"io"
	"strings"
	ttemplate "text/template"
)

// Message is the source of one email: Go templates for the subject, the
// HTML part and the plain-text part. Text may be empty: it is then derived
// from the rendered HTML.
type Message struct{ Subject, HTML, Text string }

// Compiled is a parsed and validated Message, safe for concurrent Render calls.
type Compiled struct {
	subject *part
	html    *part // nil for a text-only message
	text    *part // nil when the text is derived from the HTML
}

// part is one compiled template with what its errors need to be placed.
type part struct {
	name string
	src  string
	tmpl interface{ Execute(io.Writer, any) error }
	size int // output size to reserve, so one allocation usually holds it
}

// Compile parses and validates m. Every error is an *Error naming the part,
// line and column: a template that does not parse, an unknown field or
// function (in any branch, taken or not), an empty subject or one spread
// over several lines.
func Compile(m Message) (*Compiled, error) {
	// A trailing newline is what editors and template files end with; it is
	// not a second subject line.
	subject := strings.TrimRight(m.Subject, " \t\r\n")
	if strings.TrimSpace(subject) == "" {
		return nil, &Error{Part: "subject", Line: 1, Column: 1, Msg: "the subject is empty"}
	}
	if blank(m.HTML) && blank(m.Text) {
		return nil, &Error{Part: "html", Line: 1, Column: 1, Msg: "the message has no body: html and text are both empty"}
	}
	c := &Compiled{}
	var err error
	if c.subject, err = compileText("subject", subject, true); err != nil {
		return nil, err
	}
	if !blank(m.HTML) {
		if c.html, err = compileHTML(m.HTML); err != nil {
			return nil, err
		}
	}
	if !blank(m.Text) {
		if c.text, err = compileText("text", m.Text, false); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// Options shared by both engines: a missing attribute key renders as ""
// (so default can replace it) rather than as "<no value>".
const missingKey = "missingkey=zero"

func compileText(name, src string, oneLine bool) (*part, error) {
	if err := check(name, src, oneLine); err != nil {
		return nil, err
	}
	t, err := ttemplate.New(name).Option(missingKey).Funcs(funcs).Parse(src)
	if err != nil {
		return nil, parseError(name, src, err)
	}
	return newPart(name, src, t), nil
}

func compileHTML(src string) (*part, error) {
	if err := check("html", src, false); err != nil {
		return nil, err
	}
	t, err := htemplate.New("html").Option(missingKey).Funcs(funcs).Parse(src)
	if err != nil {
		return nil, parseError("html", src, err)
	}
	if err := escapeNow(t, src); err != nil {
		return nil, err
	}
	return newPart("html", src, t), nil
}

func newPart(name, src string, t interface{ Execute(io.Writer, any) error }) *part {
	return &part{name: name, src: src, tmpl: t, size: len(src) + len(src)/4 + 256}
}

// escapeNow makes html/template work out its escaping contexts at once. It
// does so lazily on the first execution, which would turn a mistake such as
// an unclosed attribute into a failure of the first send instead of an
// error when the campaign is saved. Executing on nil data triggers the
// analysis; the execution errors that follow are expected and ignored. The
// writer refuses the first byte, so the execution stops there: run to the
// end, a template looping over a large number would take minutes.
func escapeNow(t *htemplate.Template, src string) *Error {
	var e *htemplate.Error
	if !errors.As(t.Execute(refuseWrites{}, nil), &e) {
		return nil
	}
	msg := escapeMessage(e)
	switch {
	case e.Node != nil:
		// The node sits inside an action; the action is what to show.
		pos := int(e.Node.Position())
		if i := strings.LastIndex(src[:min(pos, len(src))], "{{"); i >= 0 {
			pos = i
		}
		return errorAt("html", src, pos, "%s", msg)
	case e.Line > 0:
		return &Error{Part: "html", Line: e.Line, Column: 1, Msg: msg}
	}
	return errorAt("html", src, len(src), "%s", msg)
}

// escapeMessage drops the escaper's internal state dump, which means
// nothing to the author of the template.
func escapeMessage(e *htemplate.Error) string {
	if e.ErrorCode == htemplate.ErrEndContext {
		return "the HTML ends inside a tag, attribute or comment: is a quote or > missing?"
	}
	msg, _, _ := strings.Cut(e.Description, ": {")
	return msg
}

// refuseWrites is a writer that fails at once.
type refuseWrites struct{}

func (refuseWrites) Write([]byte) (int, error) { return 0, errors.New("not executed") }
