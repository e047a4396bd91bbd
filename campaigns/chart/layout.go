package chart

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Geometry in SVG user units (pixels at the default size).
const (
	margin      = 12.0 // outer padding on every side
	titleHeight = 32.0 // room for the visible title above the plot
	rowHeight   = 40.0 // one bar, its label and its n
	barHeight   = 14.0
	capHeight   = 10.0 // whisker end caps
	axisHeight  = 26.0 // tick labels under the plot
	valueRoom   = 56.0 // room right of the plot for the percentage text
	charWidth   = 7.0  // rough advance of a 13px system-ui character
	labelGap    = 10.0 // between the label column and the plot
)

// A neutral palette. Text colours are at least 7:1 and 4.5:1 against the
// white background; bars and whiskers are at least 3:1 against what they
// sit on, as WCAG asks of graphical objects.
const (
	colourBackground = "#ffffff"
	colourText       = "#1f2933"
	colourMuted      = "#52606d"
	colourGrid       = "#e4e7eb"
	colourAxis       = "#7b8794"
	colourBar        = "#7b8794"
	colourWhisker    = "#1f2933"
)

// layout places the parts of one chart.
type layout struct {
	width, height float64
	top           float64 // y of the first row
	rows          int
	labelX        float64 // right edge of the label column
	plotX, plotW  float64
	labelRunes    int // longest label shown before truncation
	axis          axis
}

func newLayout(bars []Bar, opts Options) layout {
	l := layout{width: float64(opts.Width), top: margin, rows: len(bars)}
	if opts.Title != "" {
		l.top += titleHeight
	}
	longest, high := 0, 0.0
	for _, b := range bars {
		longest = max(longest, utf8.RuneCountInString(label(b)), len(nText(b.N)))
		high = max(high, b.High, b.Value)
	}
	col := min(max(float64(longest)*charWidth, 56), 0.35*l.width)
	l.labelRunes = int(col / charWidth)
	l.labelX = margin + col
	l.plotX = l.labelX + labelGap
	l.plotW = l.width - l.plotX - valueRoom
	l.axis = axisFor(high)
	l.height = l.plotBottom() + axisHeight + margin
	return l
}

func (l layout) plotBottom() float64 {
	return l.top + float64(l.rows)*rowHeight
}

// x maps proportion v to its horizontal position.
func (l layout) x(v float64) float64 {
	return l.plotX + v/(float64(l.axis.max)/100)*l.plotW
}

// open writes the root element, the accessible name and description, the
// background and the visible title.
func (l layout) open(buf *bytes.Buffer, id, title, desc string) {
	name := title
	if name == "" {
		name = "Chart"
	}
	w, h := num(l.width), num(l.height)
	fmt.Fprintf(buf, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="system-ui, sans-serif">`+"\n",
		w, h, w, h, id, id)
	fmt.Fprintf(buf, `<title id="%s-title">%s</title>`+"\n", id, escape(name))
	fmt.Fprintf(buf, `<desc id="%s-desc">%s</desc>`+"\n", id, escape(desc))
	fmt.Fprintf(buf, `<rect class="background" width="%s" height="%s" fill="%s"/>`+"\n", w, h, colourBackground)
	if title != "" {
		fmt.Fprintf(buf, `<text class="title" x="%s" y="%s" font-size="15" font-weight="600" fill="%s">%s</text>`+"\n",
			num(margin), num(margin+16), colourText, escape(title))
	}
}

// grid writes the vertical grid lines behind the bars.
func (l layout) grid(buf *bytes.Buffer) {
	for _, t := range l.axis.ticks()[1:] {
		x := num(l.x(float64(t) / 100))
		fmt.Fprintf(buf, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n",
			x, num(l.top), x, num(l.plotBottom()), colourGrid)
	}
}

// row writes bar i: label, n, bar, whisker with caps, and percentage.
func (l layout) row(buf *bytes.Buffer, i int, b Bar) {
	top := l.top + float64(i)*rowHeight
	mid := top + rowHeight/2 - 4
	fmt.Fprintf(buf, `<g class="row"><title>%s</title>`+"\n", escape(rowTitle(b)))
	fmt.Fprintf(buf, `<text class="label" x="%s" y="%s" text-anchor="end" font-size="13" fill="%s">%s</text>`+"\n",
		num(l.labelX), num(mid+4), colourText, escape(truncate(label(b), l.labelRunes)))
	fmt.Fprintf(buf, `<text class="n" x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`+"\n",
		num(l.labelX), num(mid+18), colourMuted, nText(b.N))
	fmt.Fprintf(buf, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n",
		num(l.plotX), num(mid-barHeight/2), num(l.x(b.Value)-l.plotX), num(barHeight), colourBar)
	lo, hi := num(l.x(b.Low)), num(l.x(b.High))
	line := `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5"/>` + "\n"
	fmt.Fprintf(buf, line, "whisker", lo, num(mid), hi, num(mid), colourWhisker)
	for _, x := range []string{lo, hi} {
		fmt.Fprintf(buf, line, "cap", x, num(mid-capHeight/2), x, num(mid+capHeight/2), colourWhisker)
	}
	fmt.Fprintf(buf, `<text class="value" x="%s" y="%s" font-size="12" fill="%s">%s</text>`+"\n",
		num(max(l.x(b.High), l.x(b.Value))+6), num(mid+4), colourText, percent(b.Value))
	buf.WriteString("</g>\n")
}

// axisLines writes the zero line, the x axis and its tick labels.
func (l layout) axisLines(buf *bytes.Buffer) {
	bottom := num(l.plotBottom())
	line := `<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>` + "\n"
	fmt.Fprintf(buf, line, num(l.plotX), num(l.top), num(l.plotX), bottom, colourAxis)
	fmt.Fprintf(buf, line, num(l.plotX), bottom, num(l.plotX+l.plotW), bottom, colourAxis)
	for _, t := range l.axis.ticks() {
		fmt.Fprintf(buf, `<text class="tick" x="%s" y="%s" text-anchor="middle" font-size="11" fill="%s">%s%%</text>`+"\n",
			num(l.x(float64(t)/100)), num(l.plotBottom()+16), colourMuted, strconv.Itoa(t))
	}
}
