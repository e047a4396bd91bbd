package templates

import (
	"strings"
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

func (w *textWriter) flush() {
	s := w.para.String()
	w.para.Reset()
	w.space = false
	for i := range w.links {
		w.links[i].start = 0 // a link around a block: its text restarts here
	}
	if w.pre > 0 {
		s = strings.TrimPrefix(strings.TrimRight(s, " \t\r\n"), "\n")
	} else {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return
	}
	w.separate()
	if w.pre > 0 {
		w.writePre(s)
	} else {
		w.writeWrapped(s)
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

func (w *textWriter) writePre(s string) {
	first := true
	for line := range strings.SplitSeq(s, "\n") {
		if !first {
			w.out.WriteByte('\n')
		}
		w.lineStart(first)
		w.out.WriteString(strings.TrimRight(line, " \t\r"))
		first = false
	}
}

// writeWrapped writes a block, keeping its hard line breaks (from <br>)
// and breaking at spaces so that lines stay within the width; a longer word
// (a URL) gets a line of its own rather than being cut.
func (w *textWriter) writeWrapped(s string) {
	width := max(textWidth-utf8.RuneCountInString(w.indent)-2*w.quotes, 20)
	first := true
	for hard := range strings.SplitSeq(s, "\n") {
		if !first {
			w.out.WriteByte('\n')
		}
		if hard = strings.TrimSpace(hard); hard != "" {
			w.lineStart(first)
			w.writeWords(hard, width)
		}
		first = false
	}
}

func (w *textWriter) writeWords(line string, width int) {
	n := 0
	for word := range strings.SplitSeq(line, " ") {
		if word == "" {
			continue
		}
		wn := utf8.RuneCountInString(word)
		if n > 0 && n+1+wn > width {
			w.out.WriteByte('\n')
			w.lineStart(false)
			n = 0
		}
		if n > 0 {
			w.out.WriteByte(' ')
			n++
		}
		if strings.Contains(word, "\u00a0") {
			word = strings.ReplaceAll(word, "\u00a0", " ")
		}
		w.out.WriteString(word)
		n += wn
	}
}

func (w *textWriter) finish() string {
	w.flush()
	if w.out.Len() == 0 {
		return ""
	}
	return w.out.String() + "\n"
}
