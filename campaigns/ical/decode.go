package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	goical "github.com/emersion/go-ical"
)

// utf8BOM starts many files saved on Windows; go-ical would read it as
// part of the first property name.
const utf8BOM = "\xEF\xBB\xBF"

// decode parses the first VCALENDAR in data with go-ical. go-ical says
// neither where an error is nor survives every malformed input (it panics
// on some unterminated parameters), so a failure is examined again line
// by line by locate, to tell the user which line to look at. Errors carry
// no "ical:" prefix; the exported function adds it with its context.
func decode(data []byte) (*goical.Calendar, error) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	cal, err := decodeSafely(data)
	if err == nil {
		return cal, nil
	}
	if line, reason, ok := locate(data); ok {
		return nil, fmt.Errorf("line %d: %s", line, reason)
	}
	if errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected end of input")
	}
	return nil, errors.New(trimPrefix(err))
}

// decodeSafely runs go-ical's decoder, turning its panics into errors.
func decodeSafely(data []byte) (cal *goical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, panicError(r)
		}
	}()
	return goical.NewDecoder(bytes.NewReader(data)).Decode()
}

// panicError describes a go-ical panic. All of them come from reading
// parameters: one is a message of its own, the others index past the end
// of the line.
func panicError(r any) error {
	e, ok := r.(error)
	var re runtime.Error
	if !ok || errors.As(e, &re) {
		return errors.New("malformed property parameters: the line ends inside them")
	}
	return fmt.Errorf("malformed property parameters: %s", trimPrefix(e))
}

// trimPrefix drops go-ical's "ical: " so that it is not said twice.
func trimPrefix(err error) string {
	return strings.TrimPrefix(err.Error(), "ical: ")
}

// contentLine is one unfolded content line and the physical line it
// starts on.
type contentLine struct {
	no   int
	text string
}

// unfold splits data into content lines the way go-ical reads them: a
// line ends at LF (with or without CR), and a line starting with a space
// or a tab continues the previous one.
func unfold(data []byte) []contentLine {
	var lines []contentLine
	for i, raw := range bytes.Split(data, []byte("\n")) {
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') && len(lines) > 0 {
			lines[len(lines)-1].text += string(raw[1:])
			continue
		}
		lines = append(lines, contentLine{no: i + 1, text: string(raw)})
	}
	return lines
}

// openComponent is a BEGIN not yet matched by its END.
type openComponent struct {
	name string
	line int
}

// locate finds the first line of data that go-ical cannot read, or the
// component left open at the end of the input, and says why. It reports
// ok=false when it finds nothing wrong.
func locate(data []byte) (line int, reason string, ok bool) {
	lines := unfold(data)
	var stack []openComponent
	last := 0
	for _, l := range lines {
		if l.text == "" {
			continue
		}
		last = l.no
		name, value, err := parseLine(l.text)
		if err != nil {
			return l.no, trimPrefix(err), true
		}
		if reason := checkNesting(&stack, name, value, l.no); reason != "" {
			return l.no, reason, true
		}
		if name == "END" && len(stack) == 0 {
			return 0, "", false // the calendar is complete; go-ical reads no further
		}
	}
	if len(stack) > 0 {
		open := stack[len(stack)-1]
		return max(last, 1), fmt.Sprintf("unexpected end of input: BEGIN:%s (line %d) is never ended", open.name, open.line), true
	}
	if last == 0 {
		return 1, "empty input: no BEGIN:VCALENDAR", true
	}
	return 0, "", false
}

// checkNesting applies one content line to the stack of open components
// and returns what is wrong with it, if anything.
func checkNesting(stack *[]openComponent, name, value string, no int) string {
	value = strings.ToUpper(strings.TrimSpace(value))
	switch {
	case len(*stack) == 0 && (name != "BEGIN" || value != goical.CompCalendar):
		return fmt.Sprintf("expected BEGIN:VCALENDAR, got %s:%s", name, shorten(value))
	case name == "BEGIN":
		*stack = append(*stack, openComponent{name: value, line: no})
	case name == "END":
		open := (*stack)[len(*stack)-1]
		if value != open.name {
			return fmt.Sprintf("END:%s does not match BEGIN:%s (line %d)", shorten(value), open.name, open.line)
		}
		*stack = (*stack)[:len(*stack)-1]
	}
	return ""
}

// parseLine reads one content line with go-ical, alone inside an empty
// calendar. BEGIN and END are read under another name, since go-ical
// would act on them.
func parseLine(text string) (name, value string, err error) {
	end := strings.IndexAny(text, ";:")
	if end <= 0 {
		// go-ical's own wording for these two cases.
		if end < 0 {
			return "", "", errors.New("malformed content line: missing colon")
		}
		return "", "", errors.New("malformed content line: empty property name")
	}
	name = strings.ToUpper(text[:end])
	probe := name
	if name == "BEGIN" || name == "END" {
		probe = "X-PROBE"
	}
	doc := "BEGIN:VCALENDAR\r\n" + probe + text[end:] + "\r\nEND:VCALENDAR\r\n"
	cal, err := decodeSafely([]byte(doc))
	if err != nil {
		return "", "", err
	}
	p := cal.Props.Get(probe)
	if p == nil {
		return "", "", errors.New("malformed content line")
	}
	return name, p.Value, nil
}

// shorten keeps quoted input short in an error message.
func shorten(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && cut < len(s) && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
