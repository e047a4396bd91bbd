package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// escape returns s safe for both element text and attribute values.
// xml.EscapeText also replaces invalid UTF-8 and characters XML forbids,
// such as NUL, so odd CRM data cannot make the document ill-formed.
func escape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s)) // writes to a bytes.Buffer never fail
	return b.String()
}

// num formats a coordinate with at most two decimals.
func num(f float64) string {
	r := math.Round(f*100) / 100
	if r == 0 {
		r = 0 // avoid "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// percent formats proportion v as a whole percentage, with one decimal
// where rounding would otherwise claim 0% or 100% for a rate that is not.
func percent(v float64) string {
	p := v * 100
	switch {
	case p == 0 || p == 100 || (p >= 0.5 && p < 99.5):
		return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
	case p < 0.05:
		return "<0.1%"
	case p > 99.95:
		return ">99.9%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// nText is the group size as shown under a label.
func nText(n int) string {
	return "n = " + strconv.Itoa(n)
}

// label is b's label, or a placeholder so that a blank segment value still
// names its row.
func label(b Bar) string {
	if strings.TrimSpace(b.Label) == "" {
		return "(no label)"
	}
	return b.Label
}

// truncate shortens s to at most n runes, ending in an ellipsis when cut.
// The full label stays in the row's tooltip and in the description.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	return string([]rune(s)[:n-1]) + "…"
}

// rowTitle is the tooltip of one row, e.g. "middle: 22% [15–30%], n = 120".
func rowTitle(b Bar) string {
	return fmt.Sprintf("%s: %s [%s–%s], %s",
		label(b), percent(b.Value), strings.TrimSuffix(percent(b.Low), "%"), percent(b.High), nText(b.N))
}

// chartID derives the element id prefix from the whole input, so that it
// is stable for one chart and differs between charts on the same page.
func chartID(bars []Bar, opts Options) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%q %q %d", opts.Title, opts.Metric, opts.Width)
	for _, b := range bars {
		fmt.Fprintf(h, " %q %v %v %v %d", b.Label, b.Value, b.Low, b.High, b.N)
	}
	return "chart-" + strconv.FormatUint(h.Sum64(), 36)
}
