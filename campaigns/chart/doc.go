// Package chart renders the small, static charts that the campaign report
// pages embed: server-rendered SVG documents that need no JavaScript and no
// stylesheet from the page around them.
//
// Bars draws response rates per segment ("replied, by seniority") as a
// horizontal bar chart with a 95% interval whisker on each bar and the group
// size under each label. The output is accessible on its own: the root
// element carries role="img" and aria-labelledby pointing at a <title> and a
// <desc> that spells out every group's rate and interval in words.
//
// The package does no statistics; callers pass proportions and interval
// bounds already computed (campaigns/stats). Output depends only on the
// input, so the same report renders to the same bytes and can be cached or
// compared in tests. Every string taken from data is XML-escaped, so the
// result can be served as image/svg+xml or inlined into an HTML page.
package chart
