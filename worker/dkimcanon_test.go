package worker

import (
	"bytes"
	"strings"
	"testing"
)

// relaxedBody returns what writeRelaxedBody writes for body.
func relaxedBody(body string) string {
	var b bytes.Buffer
	writeRelaxedBody(&b, []byte(body))
	return b.String()
}

// relaxedHeader returns the relaxed form of the fields of head, in order.
func relaxedHeader(head string) string {
	var out []byte
	for _, f := range splitHeader(nil, []byte(head)) {
		out = appendRelaxedHeader(out, f.name, f.raw)
	}
	return string(out)
}

// TestRelaxedRFCExample is the example of RFC 6376 3.4.5.
func TestRelaxedRFCExample(t *testing.T) {
	if got, want := relaxedHeader("A: X\r\nB : Y\t\r\n\tZ  \r\n"), "a:X\r\nb:Y Z\r\n"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	if got, want := relaxedBody(" C \r\nD \t E\r\n\r\n\r\n"), " C\r\nD E\r\n"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
}

func TestRelaxedBody(t *testing.T) {
	long := strings.Repeat("abcdefg ", 200)
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only CRLFs", "\r\n\r\n\r\n", ""},
		{"only white space", " \t\r\n  \r\n\t", ""},
		{"canonical", "Hello world\r\nsecond line\r\n", "Hello world\r\nsecond line\r\n"},
		{"no final CRLF", "Hello\r\nworld", "Hello\r\nworld\r\n"},
		{"trailing WSP", "Hello \t \r\nworld  ", "Hello\r\nworld\r\n"},
		{"WSP runs", "a  b\t\tc \t d", "a b c d\r\n"},
		{"leading WSP", "  a\r\n\tb\r\n", " a\r\n b\r\n"},
		{"empty lines inside", "a\r\n\r\n \r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n"},
		{"lone LF", "a\nb \n\nc", "a\r\nb\r\n\r\nc\r\n"},
		{"LF first", "\na", "\r\na\r\n"},
		{"lone CR", "a\rb \rc\r", "a\rb\rc\r\n"},
		{"WSP between CR and LF", "a\r \nb", "a\r\r\nb\r\n"},
		{"control characters", "a\x00b\x01 \x7f", "a\x00b\x01 \x7f\r\n"},
		{"long canonical", long[:len(long)-1] + "\r\n", long[:len(long)-1] + "\r\n"},
		{"long with a late double space", long + " x\r\n", long[:len(long)-1] + " x\r\n"},
		{"8-byte boundaries", "1234567  9\r\n123456 \r\n1234567\t\r\n", "1234567 9\r\n123456\r\n1234567\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := relaxedBody(tt.in); got != tt.want {
				t.Errorf("relaxed(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRelaxedHeader(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Subject: Hello world\r\n", "subject:Hello world\r\n"},
		{"odd case", "SUBJECT: x\r\nMessage-Id: y\r\n", "subject:x\r\nmessage-id:y\r\n"},
		{"WSP around colon", "To \t:  \t a@b  \r\n", "to:a@b\r\n"},
		{"no space", "To:a@b\r\n", "to:a@b\r\n"},
		{"folded", "Subject: a\r\n b\r\n\t c\r\n", "subject:a b c\r\n"},
		{"folded right after colon", "Subject:\r\n a\r\n", "subject:a\r\n"},
		{"empty value", "Subject:\r\n", "subject:\r\n"},
		{"colons in value", "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n", "date:Mon, 1 Jan 2024 10:00:00 +0000\r\n"},
		{"encoded word", "Subject: =?UTF-8?Q?=C3=BCber?=  x\r\n", "subject:=?UTF-8?Q?=C3=BCber?= x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := relaxedHeader(tt.in); got != tt.want {
				t.Errorf("relaxed(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitHeaderLastField(t *testing.T) {
	head := []byte(" stray\r\nTo: a@example.org\r\nSubject: x\r\n y\r\nto : b@example.org\r\n\tc\r\n")
	fields := splitHeader(nil, head)
	if len(fields) != 3 {
		t.Fatalf("%d fields, want 3 (a leading continuation line is no field)", len(fields))
	}
	f, ok := lastField(fields, "To")
	if !ok || string(f.raw) != "to : b@example.org\r\n\tc" || string(f.name) != "to" {
		t.Errorf("last To = %q (name %q), want the bottom-most instance with its continuation", f.raw, f.name)
	}
	if _, ok := lastField(fields, "From"); ok {
		t.Error("found a From field in a header without one")
	}
	if got := string(fieldValue(fields[1])); got != "x y" {
		t.Errorf("unfolded Subject %q, want %q", got, "x y")
	}
}
