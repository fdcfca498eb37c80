// Package business is the quilting business hub of a workspace: the price
// list, quotes priced from it and planned from a design's real geometry,
// customers, jobs (customer quilts) and their queue, invoices and
// payments, costs, the portfolio of finished quilts, analytics and the
// tax-time summary.
//
// Rules live here; SQL lives in internal/store (one file per entity:
// business_settings.go, customers.go, jobs.go, invoices.go, expenses.go,
// photos.go, business_reports.go); internal/web and internal/api only
// translate HTTP to one call of Service. Money is integer cents with one
// rounding rule (money.go).
//
// Who may do what: the owner and editors of a workspace see and change
// everything here. Viewers (a read-only helper) see none of it — customers'
// addresses and the money are private — except the finished-quilt photos
// on a design's page, without customers' names. Customers themselves,
// with no account, reach only their own quote (accept link) and their
// quilt's place in the queue (status link), each by a token of 256 random
// bits stored as its SHA-256, as share links are; the public gallery shows
// only the photos the quilter marked public, and only once she turned the
// gallery on.
//
// Plans: the portfolio needs the Professional plan, everything else the
// Business plan; the one check is Service.require (entitlements.go).
package business

import (
	"github.com/patternvault/patternvault/internal/problem"
)

// invalid is a broken rule of the input; message says which.
func invalid(code, message string) error { return problem.Invalid(code, message) }
