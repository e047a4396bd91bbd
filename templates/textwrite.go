package templates

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// This file holds the output side of TextFromHTML: blocks become wrapped,
// indented lines.

// block ends the current block and asks for n line breaks (1: new line,
// 2: blank line) before the next one.
func (w *textWriter) block(n int) {
	if n == 0 {
		return
	}
	w.flush()
	w.breaks = max(w.breaks, n)
}

// flush writes out the current block. The block's bytes stay in para's
// array while they are written; para is only appended to afterwards.
func (w *textWriter) flush() {
	s, spaced := w.para, w.spaced
	w.para, w.spaced = w.para[:0], false
	w.space = false
	for i := range w.links {
		w.links[i].start = 0 // a link around a block: its text restarts here
	}
	if w.pre > 0 {
		s = bytes.TrimRight(s, " \t\r\n")
		if len(s) > 0 && s[0] == '\n' {
			s = s[1:]
		}
	} else {
		s = bytes.TrimSpace(s)
	}
	if len(s) == 0 {
		return
	}
	w.separate()
	if w.pre > 0 {
		w.writePre(s)
	} else {
		w.writeWrapped(s, spaced)
	}
	w.marker = ""
}

// separate writes the line breaks owed before a new block.
func (w *textWriter) separate() {
	if w.out.Len() > 0 {
		for range max(w.breaks, 1) {
			w.out.WriteByte('\n')
		}
	}
	w.breaks = 0
}

// lineStart begins an output line with quote marks and the indent, or the
// list marker on the first line of an item.
func (w *textWriter) lineStart(first bool) {
	for range w.quotes {
		w.out.WriteString("> ")
	}
	if first && w.marker != "" {
		w.out.WriteString(w.marker)
	} else {
		w.out.WriteString(w.indent)
	}
}

func (w *textWriter) writePre(s []byte) {
	first := true
	for line := range bytes.SplitSeq(s, []byte{'\n'}) {
		if !first {
			w.out.WriteByte('\n')
		}
		w.lineStart(first)
		w.out.Write(bytes.TrimRight(line, " \t\r"))
		first = false
	}
}

// writeWrapped writes a block, keeping its hard line breaks (from <br>)
// and breaking at spaces so that lines stay within the width; a longer word
// (a URL) gets a line of its own rather than being cut.
func (w *textWriter) writeWrapped(s []byte, spaced bool) {
	simple := !spaced && isASCII(s)
	width := max(textWidth-utf8.RuneCountInString(w.indent)-2*w.quotes, 20)
	first := true
	for hard := range bytes.SplitSeq(s, []byte{'\n'}) {
		if !first {
			w.out.WriteByte('\n')
		}
		if hard = bytes.TrimSpace(hard); len(hard) > 0 {
			w.lineStart(first)
			if simple {
				w.writeLines(hard, width)
			} else {
				w.writeWords(hard, width)
			}
		}
		first = false
	}
}

func (w *textWriter) writeWords(line []byte, width int) {
	ascii := isASCII(line)
	n := 0
	for len(line) > 0 {
		j := bytes.IndexByte(line, ' ')
		if j < 0 {
			j = len(line)
		}
		word := line[:j]
		line = line[min(j+1, len(line)):]
		if j == 0 {
			continue
		}
		wn := j
		if !ascii {
			wn = utf8.RuneCount(word)
		}
		if n > 0 && n+1+wn > width {
			w.out.WriteByte('\n')
			w.lineStart(false)
			n = 0
		}
		if n > 0 {
			w.out.WriteByte(' ')
			n++
		}
		if ascii {
			w.out.Write(word)
		} else {
			w.writeWord(word)
		}
		n += wn
	}
}

// writeLines is writeWords for the common line: ASCII, so that a byte is a
// character, and with one space between words, so that whole lines can be
// written at once.
func (w *textWriter) writeLines(line []byte, width int) {
	for len(line) > width {
		// The longest run of words that fits, or the first word when even
		// that does not.
		cut := bytes.LastIndexByte(line[:width+1], ' ')
		if cut <= 0 {
			if cut = bytes.IndexByte(line, ' '); cut < 0 {
				break
			}
		}
		w.out.Write(line[:cut])
		w.out.WriteByte('\n')
		w.lineStart(false)
		line = line[cut+1:]
	}
	w.out.Write(line)
}

func isASCII(s []byte) bool {
	for len(s) >= 8 {
		if binary.NativeEndian.Uint64(s)&0x8080808080808080 != 0 {
			return false
		}
		s = s[8:]
	}
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// writeWord writes a word with its non-breaking spaces as plain ones.
func (w *textWriter) writeWord(word []byte) {
	for {
		i := bytes.Index(word, []byte("\u00a0"))
		if i < 0 {
			w.out.Write(word)
			return
		}
		w.out.Write(word[:i])
		w.out.WriteByte(' ')
		word = word[i+len("\u00a0"):]
	}
}

func (w *textWriter) finish() string {
	w.flush()
	if w.out.Len() == 0 {
		return ""
	}
	w.out.WriteByte('\n')
	return w.out.String()
}
