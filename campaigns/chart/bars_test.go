package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"outreach/campaigns/chart"
)

// node is an element of a parsed SVG document.
type node struct {
	name     string
	attr     map[string]string
	text     string // character data directly inside the element
	children []*node
}

// parse decodes an SVG document strictly, failing the test if it is not
// well-formed XML with a single <svg> root in the SVG namespace.
func parse(t *testing.T, doc []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var root *node
	var stack []*node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			if tok.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("<%s> in namespace %q, want the SVG namespace", n.name, tok.Name.Space)
			}
			if len(stack) == 0 {
				if root != nil {
					t.Fatalf("second root element <%s>", n.name)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil || root.name != "svg" {
		t.Fatalf("root element is not <svg>:\n%s", doc)
	}
	return root
}

// find returns the elements under n, n included, with the given name and,
// if class is not empty, that class, in document order.
func (n *node) find(name, class string) []*node {
	var out []*node
	if n.name == name && (class == "" || n.attr["class"] == class) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.find(name, class)...)
	}
	return out
}

func (n *node) float(t *testing.T, attr string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr[attr], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.name, attr, n.attr[attr], err)
	}
	return f
}

func texts(ns []*node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.text)
	}
	return out
}

var seniority = []chart.Bar{
	{Label: "executive", Value: 0.04, Low: 0.01, High: 0.09, N: 87},
	{Label: "senior", Value: 0.09, Low: 0.05, High: 0.14, N: 160},
	{Label: "middle", Value: 0.22, Low: 0.15, High: 0.27, N: 120},
	{Label: "junior", Value: 0.11, Low: 0.07, High: 0.17, N: 140},
}

var opts = chart.Options{Title: "Replied, by seniority", Metric: "replied"}

func TestBarsDocument(t *testing.T) {
	svg := parse(t, chart.Bars(seniority, opts))
	if got, want := svg.attr["xmlns"], "http://www.w3.org/2000/svg"; got != want {
		t.Errorf("xmlns = %q, want %q", got, want)
	}
	if got := svg.attr["role"]; got != "img" {
		t.Errorf("role = %q, want img", got)
	}
	if got := svg.attr["width"]; got != "640" {
		t.Errorf("default width = %q, want 640", got)
	}
	if got, want := svg.attr["viewBox"], "0 0 640 "+svg.attr["height"]; got != want {
		t.Errorf("viewBox = %q, want %q", got, want)
	}
	if !strings.Contains(svg.attr["font-family"], "system-ui") {
		t.Errorf("font-family = %q, want system-ui", svg.attr["font-family"])
	}
	// aria-labelledby must name the root's own <title> and <desc>.
	ids := strings.Fields(svg.attr["aria-labelledby"])
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby = %q, want two ids", svg.attr["aria-labelledby"])
	}
	for i, name := range []string{"title", "desc"} {
		if len(svg.children) < 2 || svg.children[i].name != name || svg.children[i].attr["id"] != ids[i] {
			t.Errorf("child %d is not <%s id=%q>", i, name, ids[i])
		}
	}
	if got := svg.children[0].text; got != opts.Title {
		t.Errorf("<title> = %q, want %q", got, opts.Title)
	}
}

func TestBarsOnePerRow(t *testing.T) {
	svg := parse(t, chart.Bars(seniority, opts))
	for _, class := range []string{"bar", "label", "n", "value"} {
		name := "text"
		if class == "bar" {
			name = "rect"
		}
		if got := len(svg.find(name, class)); got != len(seniority) {
			t.Errorf("%d <%s class=%q>, want %d", got, name, class, len(seniority))
		}
	}
	if got := len(svg.find("line", "whisker")); got != len(seniority) {
		t.Errorf("%d whiskers, want %d", got, len(seniority))
	}
	if got := len(svg.find("line", "cap")); got != 2*len(seniority) {
		t.Errorf("%d whisker caps, want %d", got, 2*len(seniority))
	}
	want := []string{"n = 87", "n = 160", "n = 120", "n = 140"}
	if got := texts(svg.find("text", "n")); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("n texts = %q, want %q", got, want)
	}
	wantPct := []string{"4%", "9%", "22%", "11%"}
	if got := texts(svg.find("text", "value")); strings.Join(got, "|") != strings.Join(wantPct, "|") {
		t.Errorf("value texts = %q, want %q", got, wantPct)
	}
}

func TestBarsProportional(t *testing.T) {
	svg := parse(t, chart.Bars(seniority, opts))
	rects := svg.find("rect", "bar")
	w := make([]float64, len(rects))
	for i, r := range rects {
		w[i] = r.float(t, "width")
	}
	// Widths keep the order of the values: executive < senior < junior < middle.
	if !(w[0] < w[1] && w[1] < w[3] && w[3] < w[2]) {
		t.Errorf("bar widths %v do not follow values 0.04 < 0.09 < 0.11 < 0.22", w)
	}
	// middle (0.22) is 22/9 times senior (0.09).
	if want := w[1] * 22 / 9; math.Abs(w[2]-want) > 1 {
		t.Errorf("middle width = %.2f, want %.2f (22/9 of senior's %.2f)", w[2], want, w[1])
	}
	// The whisker spans Low..High on the same scale as the bar.
	whisker := svg.find("line", "whisker")[2]
	x0 := rects[2].float(t, "x")
	scale := w[2] / 0.22
	if got, want := whisker.float(t, "x1")-x0, 0.15*scale; math.Abs(got-want) > 1 {
		t.Errorf("middle whisker starts %.2f right of zero, want %.2f", got, want)
	}
	if got, want := whisker.float(t, "x2")-x0, 0.27*scale; math.Abs(got-want) > 1 {
		t.Errorf("middle whisker ends %.2f right of zero, want %.2f", got, want)
	}
}

func TestBarsAxisMax(t *testing.T) {
	tests := []struct {
		high float64
		want string
	}{
		{0.27, "30%"},
		{0.9, "100%"},
		{0.3, "30%"},
		{0.05, "10%"},
		{0.22, "25%"},
		{0.45, "50%"},
		{0.6, "75%"},
		{0, "10%"},
		{1.7, "100%"}, // clamped
	}
	for _, tt := range tests {
		bars := []chart.Bar{{Label: "a", Value: tt.high / 2, Low: 0, High: tt.high, N: 10}}
		svg := parse(t, chart.Bars(bars, opts))
		ticks := texts(svg.find("text", "tick"))
		if len(ticks) < 2 || ticks[0] != "0%" || ticks[len(ticks)-1] != tt.want {
			t.Errorf("max High %v: ticks %q, want 0%% to %s", tt.high, ticks, tt.want)
		}
		// One grid line per tick after zero, the last at the plot's right edge.
		if got := len(svg.find("line", "grid")); got != len(ticks)-1 {
			t.Errorf("max High %v: %d grid lines, want %d", tt.high, got, len(ticks)-1)
		}
	}
}

func TestBarsClamp(t *testing.T) {
	bars := []chart.Bar{
		{Label: "over", Value: 1.5, Low: 0.8, High: 2, N: 5},
		{Label: "under", Value: -0.2, Low: -1, High: 0.1, N: 5},
		{Label: "nan", Value: math.NaN(), Low: math.NaN(), High: math.NaN(), N: 5},
	}
	svg := parse(t, chart.Bars(bars, opts))
	rects := svg.find("rect", "bar")
	axis := svg.find("line", "axis")
	full := axis[len(axis)-1].float(t, "x2") - axis[len(axis)-1].float(t, "x1")
	if got := rects[0].float(t, "width"); math.Abs(got-full) > 0.01 {
		t.Errorf("value 1.5: width %.2f, want the full plot width %.2f", got, full)
	}
	for _, r := range rects[1:] {
		if got := r.float(t, "width"); got != 0 {
			t.Errorf("value below zero or NaN: width %.2f, want 0", got)
		}
	}
	want := []string{"100%", "0%", "0%"}
	if got := texts(svg.find("text", "value")); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("value texts = %q, want %q", got, want)
	}
}

func TestBarsEscaping(t *testing.T) {
	labels := []string{
		`<script>alert("x")</script>`,
		`Sales & Marketing 'EMEA'`,
		"Geschäftsführung",
	}
	var bars []chart.Bar
	for i, l := range labels {
		bars = append(bars, chart.Bar{Label: l, Value: 0.1 * float64(i+1), Low: 0.05, High: 0.4, N: 20})
	}
	title := `Replied <by> "team" & role`
	out := chart.Bars(bars, chart.Options{Title: title, Metric: "replied & clicked"})
	if bytes.Contains(out, []byte("<script")) {
		t.Errorf("raw <script in output:\n%s", out)
	}
	svg := parse(t, out)
	if got := texts(svg.find("text", "label")); strings.Join(got, "|") != strings.Join(labels, "|") {
		t.Errorf("labels read back as %q, want %q", got, labels)
	}
	if got := svg.find("text", "title")[0].text; got != title {
		t.Errorf("visible title read back as %q, want %q", got, title)
	}
	desc := svg.find("desc", "")[0].text
	if !strings.Contains(desc, "replied & clicked") {
		t.Errorf("desc %q lacks the metric", desc)
	}
}

func TestBarsDesc(t *testing.T) {
	svg := parse(t, chart.Bars(seniority, opts))
	desc := svg.find("desc", "")[0].text
	for _, b := range seniority {
		if !strings.Contains(desc, b.Label+":") {
			t.Errorf("desc lacks %q: %s", b.Label, desc)
		}
	}
	for _, want := range []string{
		"Replied, by seniority.",
		"axis from 0% to 30%",
		"middle: 22% of 120 recipients replied (95% interval 15% to 27%).",
		"executive: 4% of 87 recipients replied (95% interval 1% to 9%).",
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc lacks %q: %s", want, desc)
		}
	}
}

func TestBarsLongLabelKeptInWords(t *testing.T) {
	long := strings.Repeat("Geschäftsführung ", 10)
	svg := parse(t, chart.Bars([]chart.Bar{{Label: long, Value: 0.2, Low: 0.1, High: 0.3, N: 40}}, opts))
	shown := svg.find("text", "label")[0].text
	if len(shown) >= len(long) || !strings.HasSuffix(shown, "…") {
		t.Errorf("long label shown as %q, want it shortened with an ellipsis", shown)
	}
	if desc := svg.find("desc", "")[0].text; !strings.Contains(desc, long) {
		t.Errorf("desc lacks the full label: %s", desc)
	}
}

func TestBarsEmpty(t *testing.T) {
	for _, bars := range [][]chart.Bar{nil, {}} {
		out := chart.Bars(bars, opts)
		svg := parse(t, out)
		if got := texts(svg.find("text", "empty")); len(got) != 1 || got[0] != "No data" {
			t.Errorf("empty chart texts %q, want one \"No data\"\n%s", got, out)
		}
		if n := len(svg.find("rect", "bar")); n != 0 {
			t.Errorf("empty chart has %d bars", n)
		}
		if svg.attr["role"] != "img" || svg.attr["aria-labelledby"] == "" {
			t.Errorf("empty chart lacks role or aria-labelledby:\n%s", out)
		}
	}
}

func TestBarsDeterministic(t *testing.T) {
	a := chart.Bars(seniority, opts)
	for range 20 {
		if b := chart.Bars(seniority, opts); !bytes.Equal(a, b) {
			t.Fatalf("output differs between calls:\n%s\n---\n%s", a, b)
		}
	}
	other := chart.Bars(seniority[:2], opts)
	if parse(t, a).attr["aria-labelledby"] == parse(t, other).attr["aria-labelledby"] {
		t.Errorf("two different charts share element ids")
	}
}

func TestBarsWidth(t *testing.T) {
	for _, tt := range []struct{ width, want int }{{0, 640}, {-5, 640}, {800, 800}, {100, 320}} {
		svg := parse(t, chart.Bars(seniority, chart.Options{Width: tt.width}))
		if got := svg.attr["width"]; got != strconv.Itoa(tt.want) {
			t.Errorf("Width %d: width = %s, want %d", tt.width, got, tt.want)
		}
		// Every bar fits inside the chart.
		w := svg.float(t, "width")
		for _, r := range svg.find("rect", "bar") {
			if end := r.float(t, "x") + r.float(t, "width"); end > w {
				t.Errorf("Width %d: bar ends at %.2f beyond %.0f", tt.width, end, w)
			}
		}
	}
}
