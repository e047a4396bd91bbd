package ical

import (
	"io"
	"unicode/utf8"
)

// maxLineOctets is the longest content line RFC 5545 3.1 allows, not
// counting the CRLF.
const maxLineOctets = 75

// foldWriter folds the content lines written to it, because go-ical's
// Encoder writes every line whole. It holds back one line at a time, so
// Flush must be called once the Encoder is done.
type foldWriter struct {
	w    io.Writer
	line []byte
	out  []byte
}

// Write buffers p and passes on every complete line, folded.
func (f *foldWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b != '\n' {
			f.line = append(f.line, b)
			continue
		}
		if err := f.writeLine(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes a last line that had no line ending (go-ical always ends
// its lines, so this is only a safety net).
func (f *foldWriter) Flush() error {
	if len(f.line) == 0 {
		return nil
	}
	return f.writeLine()
}

// writeLine folds the buffered line and ends it with CRLF whatever ending
// it came with.
func (f *foldWriter) writeLine() error {
	line := f.line
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	f.out = appendFolded(f.out[:0], line)
	f.line = f.line[:0]
	_, err := f.w.Write(f.out)
	return err
}

// appendFolded appends line to dst as one or more physical lines of at
// most 75 octets each, every continuation starting with the single space
// that unfolding removes (the space counts toward its line's 75 octets).
func appendFolded(dst, line []byte) []byte {
	limit := maxLineOctets
	for len(line) > limit {
		cut := runeBoundary(line, limit)
		dst = append(dst, line[:cut]...)
		dst = append(dst, "\r\n "...)
		line = line[cut:]
		limit = maxLineOctets - 1
	}
	dst = append(dst, line...)
	return append(dst, "\r\n"...)
}

// runeBoundary returns the largest cut <= limit that does not fall inside
// a UTF-8 sequence, so that no physical line carries half a character
// (some clients decode each physical line on its own). Bytes that are not
// valid UTF-8 are cut at limit.
func runeBoundary(b []byte, limit int) int {
	cut := limit
	for i := 0; i < utf8.UTFMax && cut > 0 && !utf8.RuneStart(b[cut]); i++ {
		cut--
	}
	if cut == 0 || !utf8.RuneStart(b[cut]) {
		return limit
	}
	return cut
}
