package ical

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendFolded(t *testing.T) {
	lines := []string{
		"",
		"SUMMARY:short",
		strings.Repeat("a", 75),
		strings.Repeat("a", 76),
		strings.Repeat("a", 300),
		"DESCRIPTION:" + strings.Repeat("ä", 100),   // 2-octet runes
		"DESCRIPTION:" + strings.Repeat("€", 100),   // 3-octet runes
		"DESCRIPTION:" + strings.Repeat("🎉", 100),   // 4-octet runes
		"DESCRIPTION:x" + strings.Repeat("🎉ä€", 60), // mixed, shifting the boundaries
	}
	// Every offset of a multi-octet rune against the 75-octet boundary.
	for pad := 0; pad < 8; pad++ {
		lines = append(lines, strings.Repeat("x", 70+pad)+"€🎉ü€🎉ü"+strings.Repeat("y", 80))
	}
	for _, line := range lines {
		out := appendFolded(nil, []byte(line))
		for i, phys := range bytes.Split(bytes.TrimSuffix(out, []byte("\r\n")), []byte("\r\n")) {
			if len(phys) > maxLineOctets {
				t.Errorf("%.20q…: physical line %d is %d octets", line, i, len(phys))
			}
			if i > 0 && (len(phys) < 2 || phys[0] != ' ') {
				t.Errorf("%.20q…: continuation %d does not start with one space: %q", line, i, phys)
			}
			if !utf8.Valid(phys) {
				t.Errorf("%.20q…: physical line %d splits a rune: %q", line, i, phys)
			}
		}
		if got := strings.ReplaceAll(strings.TrimSuffix(string(out), "\r\n"), "\r\n ", ""); got != line {
			t.Errorf("unfolding does not restore the line:\n got %q\nwant %q", got, line)
		}
	}
}

// The Encoder may write a line in pieces; the writer must fold the whole
// line, not the pieces.
func TestFoldWriterPieces(t *testing.T) {
	var buf bytes.Buffer
	fw := &foldWriter{w: &buf}
	line := "DESCRIPTION:" + strings.Repeat("Grüße aus Zürich. ", 12)
	for _, piece := range []string{line[:5], line[5:40], line[40:], "\r", "\nEND:VEVENT\r\n", "TAIL"} {
		if _, err := fw.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	checkWire(t, buf.Bytes())
	want := []string{line, "END:VEVENT", "TAIL"}
	if got := unfolded(buf.Bytes()); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRuneBoundaryInvalidUTF8(t *testing.T) {
	// Continuation bytes without a start: cut where the limit says.
	b := bytes.Repeat([]byte{0x80}, 100)
	if got := runeBoundary(b, 75); got != 75 {
		t.Errorf("runeBoundary = %d, want 75", got)
	}
}
