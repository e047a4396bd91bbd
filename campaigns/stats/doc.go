// Package stats owns the arithmetic behind campaign reports: response rates
// with 95% confidence intervals, and the comparison of two segments ("do
// middle managers reply more often than heads of organisations?") with a
// significance test and a plain-language verdict.
//
// Reports must be honest about uncertainty, so every rate carries a Wilson
// score interval, every difference a Newcombe interval, and a comparison that
// cannot tell the groups apart says so, with a rough idea of how many more
// recipients it would take. The package is pure computation: no I/O, no
// dependencies beyond the standard library.
package stats
