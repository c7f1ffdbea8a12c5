//go:build tools

// Package pin names what the wrapper module builds, so that `go mod tidy` keeps their
// dependencies in go.sum.
package pin

import (
	_ "github.com/pingcap/failpoint/failpoint-ctl"
	_ "github.com/pingcap/tidb/pkg/session"
)
