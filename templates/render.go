package templates

import (
	"errors"
	"fmt"
	"strings"
)

// Rendered is one personalised message.
type Rendered struct{ Subject, HTML, Text string }

// Render executes the templates for d. The HTML part goes through
// html/template, so contact data is escaped for its context; the subject and
// the text part go through text/template and keep it verbatim. Errors name
// the part, and where the template engine says so, the line and column.
func (c *Compiled) Render(d Data) (Rendered, error) {
	v, err := newView(d)
	if err != nil {
		return Rendered{}, err
	}
	var r Rendered
	if r.Subject, err = c.renderSubject(v); err != nil {
		return Rendered{}, err
	}
	if c.html != nil {
		if r.HTML, err = c.html.render(v); err != nil {
			return Rendered{}, err
		}
	}
	if c.text == nil {
		r.Text = TextFromHTML(r.HTML)
		return r, nil
	}
	if r.Text, err = c.text.render(v); err != nil {
		return Rendered{}, err
	}
	return r, nil
}

// renderSubject refuses line breaks: a contact field holding
// "x\r\nBcc: ..." must never become a header line of its own.
func (c *Compiled) renderSubject(v *view) (string, error) {
	s, err := c.subject.render(v)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", &Error{Part: "subject", Msg: "the rendered subject contains a line break; refused to prevent header injection"}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{Part: "subject", Msg: "the rendered subject is empty"}
	}
	return s, nil
}

func (p *part) render(v *view) (string, error) {
	b := cappedBuilder{max: MaxRenderedBytes}
	b.Grow(p.size)
	if err := p.tmpl.Execute(&b, v); err != nil {
		if errors.Is(err, errTooLarge) {
			return "", &Error{Part: p.name, Msg: fmt.Sprintf("renders to more than %d MiB; is a range looping over a number?", MaxRenderedBytes>>20)}
		}
		return "", renderError(p.name, p.src, err)
	}
	return b.String(), nil
}

// MaxRenderedBytes bounds one rendered part. A template can loop over a
// plain number ({{ range 1000000000 }}), which compiles; without a bound
// one such template would exhaust a worker's memory on every send.
const MaxRenderedBytes = 10 << 20

var errTooLarge = errors.New("rendered part too large")

// cappedBuilder is a strings.Builder that refuses to grow past max.
type cappedBuilder struct {
	strings.Builder
	max int
}

func (b *cappedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLarge
	}
	return b.Builder.Write(p)
}

func (b *cappedBuilder) WriteString(s string) (int, error) {
	if b.Len()+len(s) > b.max {
		return 0, errTooLarge
	}
	return b.Builder.WriteString(s)
}

// Preview compiles m and renders it for d as a real send would, for the
// campaign editor: every error is an *Error with its place.
func Preview(m Message, d Data) (Rendered, error) {
	c, err := Compile(m)
	if err != nil {
		return Rendered{}, err
	}
	return c.Render(d)
}
