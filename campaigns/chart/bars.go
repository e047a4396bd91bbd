package chart

import (
	"bytes"
	"fmt"
	"math"
)

// Bar is one group's rate with its 95% interval and its size.
type Bar struct {
	Label            string
	Value, Low, High float64 // proportions 0..1
	N                int     // recipients (denominator), shown under the label as "n = 123"
}

// Options title the chart and name the metric.
type Options struct {
	Title  string // e.g. "Replied, by seniority"
	Metric string // e.g. "replied"; used in the accessible description
	Width  int    // default 640
}

const (
	defaultWidth = 640
	// minWidth keeps the label column, the plot and the value text from
	// overlapping when a caller asks for a very narrow chart.
	minWidth = 320
)

// Bars renders bars as a horizontal bar chart in a standalone SVG document:
// one row per bar in the given order, with the label and its n on the left,
// a bar proportional to Value, a whisker from Low to High and the
// percentage to the right of the whisker, above an x axis from 0% to a
// rounded maximum. Values outside 0..1 are clamped (NaN counts as 0), and a
// Low above High is swapped. An empty list renders a small "No data" chart.
//
// The document has no XML declaration, so it can be inlined into HTML as
// it is. Its element ids derive from a hash of the input: two different
// charts on one page do not clash, and the same input gives the same bytes.
func Bars(bars []Bar, opts Options) []byte {
	opts.Width = widthOrDefault(opts.Width)
	id := chartID(bars, opts)
	if len(bars) == 0 {
		return noData(id, opts)
	}
	clamped := make([]Bar, len(bars))
	for i, b := range bars {
		clamped[i] = clampBar(b)
	}
	l := newLayout(clamped, opts)

	var buf bytes.Buffer
	l.open(&buf, id, opts.Title, describe(clamped, opts.Metric, opts.Title, l.axis))
	l.grid(&buf)
	for i, b := range clamped {
		l.row(&buf, i, b)
	}
	l.axisLines(&buf)
	buf.WriteString("</svg>\n")
	return buf.Bytes()
}

// noData renders the chart for an empty bars list: the title, if any, and
// the words "No data".
func noData(id string, opts Options) []byte {
	height := 64.0
	if opts.Title != "" {
		height += titleHeight
	}
	metric := opts.Metric
	if metric == "" {
		metric = "this chart"
	}
	l := layout{width: float64(opts.Width), height: height}
	var buf bytes.Buffer
	l.open(&buf, id, opts.Title, fmt.Sprintf("No data to show for %s.", metric))
	fmt.Fprintf(&buf, `<text class="empty" x="%s" y="%s" text-anchor="middle" font-size="14" fill="%s">No data</text>`+"\n",
		num(l.width/2), num(height-28), colourMuted)
	buf.WriteString("</svg>\n")
	return buf.Bytes()
}

func widthOrDefault(w int) int {
	switch {
	case w <= 0:
		return defaultWidth
	case w < minWidth:
		return minWidth
	}
	return w
}

// clampBar brings b's proportions into 0..1 and orders its interval.
func clampBar(b Bar) Bar {
	b.Value, b.Low, b.High = clamp(b.Value), clamp(b.Low), clamp(b.High)
	if b.Low > b.High {
		b.Low, b.High = b.High, b.Low
	}
	if b.N < 0 {
		b.N = 0
	}
	return b
}

func clamp(v float64) float64 {
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}
