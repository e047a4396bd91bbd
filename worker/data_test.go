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
	writeData(textproto.NewConn(nopCloser{&g}), raw)
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
