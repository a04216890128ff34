// Package migrations embeds the SQL migrations so the binary carries its
// own schema; golang-migrate reads them through its iofs source.
package migrations

import "embed"

// FS holds the NNNNNN_name.up.sql / .down.sql pairs.
//
//go:embed *.sql
var FS embed.FS
