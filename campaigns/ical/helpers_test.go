package ical

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	// The tests need Europe/Berlin and friends wherever they run.
	_ "time/tzdata"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkWire checks what RFC 5545 3.1 asks of the bytes: every line ends
// in CRLF, no line is longer than 75 octets, and no line holds part of a
// UTF-8 sequence (each line is valid UTF-8 on its own).
func checkWire(t *testing.T, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Errorf("output does not end in CRLF")
	}
	for i, line := range bytes.SplitAfter(data, []byte("\r\n")) {
		if len(line) == 0 {
			continue
		}
		body, ok := bytes.CutSuffix(line, []byte("\r\n"))
		switch {
		case !ok:
			t.Errorf("line %d does not end in CRLF: %q", i+1, line)
		case bytes.ContainsAny(body, "\r\n"):
			t.Errorf("line %d has a bare CR or LF: %q", i+1, body)
		case len(body) > maxLineOctets:
			t.Errorf("line %d is %d octets long: %q", i+1, len(body), body)
		case !utf8.Valid(body):
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, body)
		}
	}
}

// unfolded returns the content lines of data, unfolded.
func unfolded(data []byte) []string {
	s := strings.ReplaceAll(string(data), "\r\n ", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

// lineWith returns the first unfolded content line with the prefix.
func lineWith(t *testing.T, data []byte, prefix string) string {
	t.Helper()
	for _, l := range unfolded(data) {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starting with %q in\n%s", prefix, data)
	return ""
}

func countLines(data []byte, prefix string) int {
	n := 0
	for _, l := range unfolded(data) {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
