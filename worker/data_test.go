package worker

import (
	"bufio"
	"bytes"
	"net/textproto"
	"testing"
)

// dataBytes returns what writeData sends for raw, and what textproto's
// DotWriter, the reference, sends.
func dataBytes(raw []byte) (got, want []byte) {
	var g, w bytes.Buffer
	var buf []byte
	writeData(textproto.NewConn(nopCloser{&g}), raw, &buf)
	ref := textproto.NewWriter(bufio.NewWriter(&w)).DotWriter()
	ref.Write(raw)
	ref.Close()
	return g.Bytes(), w.Bytes()
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// The message body goes out exactly as DotWriter would send it, whether it
// takes the whole-message path or not: a line starting with a dot doubled,
// bare line feeds made CRLF, a missing final line end added.
func TestWriteDataMatchesDotWriter(t *testing.T) {
	for _, raw := range []string{
		"Subject: hi\r\n\r\nplain body\r\n",
		".starts with a dot\r\n",
		"Subject: x\r\n\r\nline\r\n.hidden\r\n..two\r\n",
		"bare\nline feeds\n",
		"mixed\r\nbare\nend\r\n",
		"no final line end",
		"ends with CR\r",
		"a lone \r in a line\r\n",
		"\r\n",
		"",
		".",
		"x\r\n.\r\nafter a lone dot\r\n",
	} {
		got, want := dataBytes([]byte(raw))
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", raw, got, want)
		}
	}
	if !needsDotWriter([]byte("x\r\n.y\r\n")) || needsDotWriter([]byte("Subject: a\r\n\r\nb\r\n")) {
		t.Error("needsDotWriter: a dot line must take DotWriter, a plain message must not")
	}
}

func FuzzWriteData(f *testing.F) {
	for _, s := range []string{"a\r\n", ".a\r\n", "a\nb", "a\r\n.\r\n", "\r\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := dataBytes(raw); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %q\nwant %q", raw, got, want)
		}
	})
}

type countingWriter struct{ writes int }

func (w *countingWriter) Write(p []byte) (int, error) { w.writes++; return len(p), nil }
func (w *countingWriter) Read([]byte) (int, error)    { return 0, nil }
func (w *countingWriter) Close() error                { return nil }

// A message larger than the connection's write buffer and its final dot
// reach the server in one write, not two: each write wakes the server.
func TestWriteDataIsOneWrite(t *testing.T) {
	raw := bytes.Repeat([]byte("a line of an invitation, long enough to fill buffers\r\n"), 200) // 11 KB
	var w countingWriter
	var buf []byte
	for range 2 { // the second message reuses the connection's buffer
		w.writes = 0
		if err := writeData(textproto.NewConn(&w), raw, &buf); err != nil {
			t.Fatal(err)
		}
		if w.writes != 1 {
			t.Errorf("%d writes for one message, want 1", w.writes)
		}
	}
}
