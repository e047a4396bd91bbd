package worker

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
)

// Relaxed canonicalisation (RFC 6376 3.4.2 and 3.4.4), written for the one
// pass over a rendered message that DKIMSigner.Sign needs. Where the RFC is
// silent, on a CR or LF that is not part of a CRLF, it follows the common
// verifiers (go-msgauth, OpenDKIM): a lone LF counts as CRLF, and WSP before
// a lone CR is dropped as at a line end.

var (
	crlf  = []byte("\r\n")
	space = []byte(" ")
	cr    = []byte("\r")
)

// headerField is one field of a header block.
type headerField struct {
	name []byte // as written, without surrounding white space
	raw  []byte // from the name to the end of the last line, CRLF excluded
}

// splitHeader appends the fields of head, a header block whose lines end in
// CRLF, to fields. A continuation line before the first field is skipped,
// as there is no field to continue.
func splitHeader(fields []headerField, head []byte) []headerField {
	fieldStart := 0
	for pos := 0; pos < len(head); {
		end := bytes.Index(head[pos:], crlf)
		if end < 0 {
			end = len(head)
		} else {
			end += pos
		}
		line := head[pos:end]
		switch {
		case len(line) > 0 && (line[0] == ' ' || line[0] == '\t'):
			if n := len(fields); n > 0 {
				fields[n-1] = newField(head[fieldStart:end])
			}
		default:
			fields = append(fields, newField(line))
			fieldStart = pos
		}
		pos = end + 2
	}
	return fields
}

// newField takes the name of a field, as verifiers do, from before the
// first colon of the whole field, even if that is on a continuation line.
func newField(raw []byte) headerField {
	name := raw
	if i := bytes.IndexByte(raw, ':'); i >= 0 {
		name = raw[:i]
	}
	return headerField{name: bytes.TrimSpace(name), raw: raw}
}

// lastField returns the bottom-most field named name (ASCII case
// insensitive), which is the instance a verifier takes for a name listed
// once in h= (RFC 6376 5.4.2).
func lastField(fields []headerField, name string) (headerField, bool) {
	for i := len(fields) - 1; i >= 0; i-- {
		if equalFoldASCII(fields[i].name, name) {
			return fields[i], true
		}
	}
	return headerField{}, false
}

// fieldValue returns the unfolded value of f with surrounding white space
// removed.
func fieldValue(f headerField) []byte {
	v := afterColon(f.raw)
	if bytes.Contains(v, crlf) {
		v = bytes.ReplaceAll(v, crlf, nil)
	}
	return bytes.TrimSpace(v)
}

// appendRelaxedHeader appends the relaxed form of a field: the name in
// lower case, a colon, the value unfolded with every run of white space
// made one space and none at either end, and CRLF.
func appendRelaxedHeader(dst, name, raw []byte) []byte {
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	dst = append(dst, ':')
	value := afterColon(raw)
	for first := true; ; first = false {
		i := 0
		for i < len(value) && isWSPOrEOL(value[i]) {
			i++
		}
		if i == len(value) {
			break
		}
		if i > 0 && !first {
			dst = append(dst, ' ')
		}
		value = value[i:]
		j := 0
		for j < len(value) && !isWSPOrEOL(value[j]) {
			j++
		}
		dst = append(dst, value[:j]...)
		value = value[j:]
	}
	return append(dst, crlf...)
}

// writeRelaxedBody writes the relaxed form of body to w: runs of WSP made
// one space, WSP at line ends and empty lines at the end removed, and a
// final CRLF unless nothing is left. Lines that are already canonical,
// which is nearly all of a rendered message, are skipped eight bytes at a
// time and go to w together in one Write, without a copy.
func writeRelaxedBody(w io.Writer, body []byte) {
	end := len(body)
	for end > 0 && isWSPOrEOL(body[end-1]) {
		end--
	}
	body = body[:end]
	if len(body) == 0 {
		return // an empty body is canonically empty, without a CRLF
	}
	start := 0 // body[start:] up to the current line is canonical and not yet written
	for i, line := 0, 0; ; {
		i, line = skipCanonical(body, i, line)
		if i == len(body) {
			break
		}
		i = lineEnd(body, i)
		start = writeRelaxedLine(w, body, start, line, i)
		line = i
	}
	_, _ = w.Write(body[start:])
	_, _ = w.Write(crlf)
}

// lineEnd returns the index after the LF that ends the line containing
// body[i], or len(body) for the last line.
func lineEnd(body []byte, i int) int {
	if j := bytes.IndexByte(body[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(body)
}

// skipCanonical skips from b[i], in a line starting at b[line], over bytes
// and CRLFs that canonicalisation leaves as they are. It returns the index
// of the first byte that may change, a control character or the first of
// two spaces, or len(b), and where that byte's line starts. It tests eight
// bytes at a time.
func skipCanonical(b []byte, i, line int) (int, int) {
	for i < len(b) {
		if i+9 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			next := binary.LittleEndian.Uint64(b[i+1:]) // each byte's successor
			m := controls(x) | spaces(x)&spaces(next)
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		} else if b[i] > ' ' || b[i] == ' ' && (i+1 == len(b) || b[i+1] != ' ') {
			i++
			continue
		}
		// Earlier bytes of the line were checked, so only a space can
		// precede a CRLF that canonicalisation changes.
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' && (i == line || b[i-1] != ' ') {
			i += 2
			line = i
			continue
		}
		return i, line
	}
	return len(b), line
}

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// controls sets the top bit of each byte of x below 0x20, with sums that
// cannot carry from one byte into the next.
func controls(x uint64) uint64 {
	return ^((x&^highs + 0x60*lows) | x) & highs
}

// spaces sets the top bit of each byte of x that is 0x20.
func spaces(x uint64) uint64 {
	t := x ^ 0x20*lows
	return ^((t&^highs + 0x7f*lows) | t) & highs
}

// writeRelaxedLine canonicalises body[i:next], one line, writing
// body[start:] up to each change and the change to w; it returns where
// the canonical bytes not yet written now start. A WSP run never reaches
// past the line: the body ends in neither WSP nor EOL.
func writeRelaxedLine(w io.Writer, body []byte, start, i, next int) int {
	for i < next {
		c := body[i]
		switch {
		case c > ' ':
			i++
		case c == ' ' || c == '\t':
			j := i + 1
			for body[j] == ' ' || body[j] == '\t' {
				j++
			}
			if body[j] == '\r' || body[j] == '\n' { // WSP at a line end is dropped
				_, _ = w.Write(body[start:i])
				start = j
			} else if c == '\t' || j > i+1 {
				_, _ = w.Write(body[start:i])
				_, _ = w.Write(space)
				start = j
			}
			i = j
		case c == '\n' && (i == 0 || body[i-1] != '\r'): // a lone LF counts as CRLF
			_, _ = w.Write(body[start:i])
			_, _ = w.Write(cr)
			start = i
			i++
		default:
			i++
		}
	}
	return start
}

// afterColon returns what follows the first colon of a field: its value,
// or nothing for a malformed field without one.
func afterColon(raw []byte) []byte {
	if i := bytes.IndexByte(raw, ':'); i >= 0 {
		return raw[i+1:]
	}
	return nil
}

func isWSPOrEOL(c byte) bool {
	return c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n') // most bytes fail the first test
}

// equalFoldASCII compares a header field name with a known, ASCII one.
// Unlike bytes.EqualFold it does not fold non-ASCII letters such as the
// long s into ASCII ones, since field names are ASCII (RFC 5322 2.2).
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
