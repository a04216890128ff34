package postgres

// The verification queries, for the plan test in package postgres_test.
const (
	VerifyByNumberSQL = verifyByNumberSQL
	VerifyByNameSQL   = verifyByNameSQL
)
