// Package demo generates a realistic network of organisations and contacts
// as a CSV file in Outreach's import format.
//
// The network looks like the one Outreach was built for: business support
// agencies, microfinance lenders, public bodies, NGOs, chambers, universities
// and networks that support migrant entrepreneurs across the EU and EEA, with
// names in the local languages, staff from the majority population and from
// migrant communities, job titles in the local language or English, and a
// seniority pyramid in every organisation (one or two executives, a few
// seniors, more middle managers, most staff operational). About 40% of rows
// carry the seniority; the rest leave it to the importer to infer from the
// job title, as real files do.
//
// The same seed always yields the same file, which makes the output usable
// both for "outreach demo", which loads a few hundred organisations so that a
// new installation shows something real, and for import benchmarks of a
// million rows: rows are streamed, with memory bounded by the number of
// organisations.
package demo
