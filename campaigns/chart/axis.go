package chart

// axis is the x scale of a chart: from 0 to max, labelled every step, both
// in whole percent.
type axis struct {
	max, step int
}

// axes are the scales a chart may use, smallest first. Rates in a report
// are mostly well under 50%, so the steps are fine there and coarse above,
// where a 10% step would crowd the axis with labels.
var axes = []axis{
	{10, 2}, {20, 5}, {25, 5}, {30, 5}, {40, 10}, {50, 10}, {75, 25}, {100, 25},
}

// axisFor returns the smallest axis that reaches high, a proportion.
func axisFor(high float64) axis {
	// The tolerance keeps 0.3 on the 30% axis although 0.3*100 is
	// 30.000000000000004 in floating point.
	for _, a := range axes {
		if high*100 <= float64(a.max)+1e-9 {
			return a
		}
	}
	return axes[len(axes)-1]
}

// ticks returns the tick positions of a in whole percent, 0 and max included.
func (a axis) ticks() []int {
	var ts []int
	for t := 0; t <= a.max; t += a.step {
		ts = append(ts, t)
	}
	return ts
}
