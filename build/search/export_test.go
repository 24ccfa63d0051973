package search

// Exported for the browser tests (package search_test), which share the
// test site and the tables with the tests of this package.
var (
	WardDocs   = wardDocs
	FillerDocs = fillerDocs
	FoldCases  = foldCases
	TokenCases = tokenCases
	Keys       = keys
	Build      = build
	Day        = day
)
