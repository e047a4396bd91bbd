package stats

import "math"

// newcombe returns a.Value - b.Value with Newcombe's hybrid score interval
// (method 10 in Newcombe 1998), built from the two groups' Wilson intervals.
// Unlike the Wald interval for a difference it behaves with small groups and
// rates near 0% or 100%.
func newcombe(a, b Interval) Interval {
	d := a.Value - b.Value
	low := d - math.Hypot(a.Value-a.Low, b.High-b.Value)
	high := d + math.Hypot(a.High-a.Value, b.Value-b.Low)
	return Interval{Value: d, Low: math.Max(-1, low), High: math.Min(1, high)}
}
