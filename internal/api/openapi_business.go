package api

import "strings"

// The business endpoints in the OpenAPI document: their schemas and
// operations (the handlers are in business.go). Money is integer cents
// (*_cents), tax rates millionths (*_ppm: 60000 is 6 %), lengths and hours
// hundredths (*_hundredths) unless a name says inches or hours; days are
// written 2026-03-14 in requests and as RFC 3339 times in answers.

var (
	// tDay is a day as a request writes it ("" for none).
	tDay = map[string]any{"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", "description": "A day, 2026-03-14."}
	// tDate is a day as an answer writes it.
	tDate    = map[string]any{"type": "string", "format": "date"}
	tMoney   = map[string]any{"type": "number", "description": "An amount in the currency's units (276.24); rounded to the cent."}
	tCents   = map[string]any{"type": "integer", "description": "Cents."}
	tDayTime = map[string]any{"type": "string", "format": "date-time", "description": "A day (midnight UTC)."}
)

func nullDay() map[string]any {
	return map[string]any{"type": []string{"string", "null"}, "format": "date-time", "description": "A day (midnight UTC), null when not yet."}
}

// jobStatuses are the statuses of a job (internal/business.Statuses).
var jobStatuses = []string{"quote", "accepted", "in_queue", "quilting", "finished", "delivered", "paid", "cancelled"}

// businessSchemas are the components of the business endpoints.
func businessSchemas() map[string]any {
	return map[string]any{
		"Line": strict([]string{"kind", "description", "amount_cents", "taxable"}, map[string]any{
			"kind":        enum("quilting", "batting", "backing", "thread", "binding", "labour", "other"),
			"description": tStr, "amount_cents": tCents, "taxable": tBool}),
		"PriceItem": strict([]string{"id", "group", "name", "unit", "rate_micros", "minimum_cents", "position"}, map[string]any{
			"id": tInt, "group": enum("level", "batting", "thread", "binding"), "name": tStr,
			"unit":          enum("sq_in", "flat", "bobbin", "inch", "foot"),
			"rate_micros":   map[string]any{"type": "integer", "description": "The price per unit in millionths of the currency (20000 is $0.02)."},
			"minimum_cents": tCents, "position": tInt}),
		"Machine": strict([]string{"row_overlap_hundredths", "stitches_per_inch", "inches_per_minute", "row_advance_hundredths",
			"thread_factor_hundredths", "bobbin_yards", "weekly_hours_hundredths", "setup_hours_hundredths"}, map[string]any{
			"row_overlap_hundredths": tInt, "stitches_per_inch": tInt, "inches_per_minute": tInt, "row_advance_hundredths": tInt,
			"thread_factor_hundredths": tInt, "bobbin_yards": tInt, "weekly_hours_hundredths": tInt, "setup_hours_hundredths": tInt}),
		"PriceList": strict([]string{"currency", "tax_rate_ppm", "taxable", "hourly_rate_cents", "backing_seam_cents", "binding_extra_hundredths", "items", "machine"},
			map[string]any{"currency": tStr, "tax_rate_ppm": tInt,
				"taxable":           map[string]any{"type": []string{"object", "null"}, "additionalProperties": tBool, "description": "Line kinds that carry tax."},
				"hourly_rate_cents": tCents, "backing_seam_cents": tCents, "binding_extra_hundredths": tInt,
				"items": nullArr(ref("PriceItem")), "machine": ref("Machine")}),
		"BusinessSettings": strict([]string{"currency", "tax_rate_ppm", "taxable_kinds", "invoice_prefix", "next_invoice_number", "payment_days"}, map[string]any{
			"currency": tStr, "tax_rate_ppm": tInt, "taxable_kinds": nullArr(tStr), "hourly_rate_cents": tCents, "backing_seam_cents": tCents,
			"binding_extra_hundredths": tInt, "row_overlap_hundredths": tInt, "stitches_per_inch": tInt, "inches_per_minute": tInt,
			"row_advance_hundredths": tInt, "thread_factor_hundredths": tInt, "bobbin_yards": tInt, "weekly_hours_hundredths": tInt,
			"setup_hours_hundredths": tInt, "invoice_prefix": tStr, "next_invoice_number": tInt, "payment_days": tInt,
			"business_name": tStr, "business_address": tStr, "gallery_public": tBool, "gallery_intro": tStr, "updated_at": tTime}),
		"Design": strict([]string{"pattern_id", "name", "width_in", "height_in", "stitch_length_in"}, map[string]any{
			"pattern_id": tInt, "name": tStr, "width_in": tNum, "height_in": tNum, "stitch_length_in": tNum}),
		"Plan": strict([]string{"design", "repeats", "rows", "stitched_length_in", "stitches", "stitch_minutes", "top_yards", "bobbin_yards", "thread_yards", "bobbins"},
			map[string]any{"design": ref("Design"), "repeats": tInt, "rows": tInt, "stitched_length_in": tNum, "stitches": tInt,
				"stitch_minutes": tNum, "top_yards": tNum, "bobbin_yards": tNum, "thread_yards": tNum, "bobbins": tInt}),
		"QuoteRequest": obj([]string{"width_in", "length_in"}, map[string]any{
			"width_in":      map[string]any{"type": "number", "exclusiveMinimum": 0, "description": "The quilt top's width in inches."},
			"length_in":     map[string]any{"type": "number", "exclusiveMinimum": 0, "description": "The quilt top's length in inches."},
			"level":         map[string]any{"type": "string", "description": "A quilting level of the price list, by name (\"Light edge-to-edge\")."},
			"batting":       map[string]any{"type": "string", "description": "A batting of the price list by name; empty for the customer's own."},
			"thread":        map[string]any{"type": "string", "description": "A thread of the price list by name (\"Standard\")."},
			"binding":       map[string]any{"type": "string", "description": "A binding of the price list by name (\"Machine finished\"); empty for none."},
			"backing_seams": map[string]any{"type": "integer", "minimum": 0},
			"prep_hours":    map[string]any{"type": "number", "minimum": 0},
			"bobbins":       map[string]any{"type": "integer", "minimum": 0, "description": "For a thread priced per bobbin; 0 takes the plan's."},
			"tax_rate":      map[string]any{"type": []string{"number", "null"}, "minimum": 0, "maximum": 1, "description": "A fraction (0.06 for 6 %); absent, the price list's."},
			"extra_lines": arr(obj([]string{"amount"}, map[string]any{"kind": enum("quilting", "batting", "backing", "thread", "binding", "labour", "other"),
				"description": tStr, "amount": tMoney})),
			"pattern_id": map[string]any{"type": "integer", "description": "A design of the library to plan the quilt with (its geometry: rows, stitched length, thread)."},
		}),
		"Quote": strict([]string{"lines", "subtotal_cents", "taxable_cents", "tax_rate_ppm", "tax_cents", "total_cents", "currency", "total"}, map[string]any{
			"lines": arr(ref("Line")), "subtotal_cents": tCents, "taxable_cents": tCents, "tax_rate_ppm": tInt, "tax_cents": tCents,
			"total_cents": tCents, "currency": tStr, "total": map[string]any{"type": "string", "description": "The total written plainly: 276.24."},
			"plan": ref("Plan"), "rows": tInt, "repeats": tInt, "stitched_length_in": tNum, "stitch_minutes": tNum, "thread_yards": tNum, "bobbins": tInt}),
		"CustomerInput": obj(nil, map[string]any{"name": map[string]any{"type": "string", "maxLength": 200}, "email": tStr, "phone": tStr, "address": tStr,
			"delivery": enum("", "pickup", "dropoff", "ship"), "notes": tStr, "email_consent": tBool, "photo_consent": tBool}),
		"Customer": strict([]string{"id", "name", "email", "phone", "address", "delivery", "notes", "email_consent", "photo_consent",
			"created_at", "updated_at", "jobs", "spent_cents", "last_visit"}, map[string]any{
			"id": tInt, "name": tStr, "email": tStr, "phone": tStr, "address": tStr, "delivery": enum("", "pickup", "dropoff", "ship"),
			"notes": tStr, "email_consent": tBool, "photo_consent": tBool, "created_at": tTime, "updated_at": tTime,
			"deleted_at":  map[string]any{"type": "string", "format": "date-time", "description": "Present when she was deleted (soft)."},
			"jobs":        map[string]any{"type": "integer", "description": "Her quilts (jobs not cancelled)."},
			"spent_cents": map[string]any{"type": "integer", "description": "Her issued invoices' totals."},
			"last_visit":  nullDay()}),
		"JobInput": obj(nil, map[string]any{
			"customer_id": map[string]any{"type": "integer", "description": "Her customer; or new_customer."}, "new_customer": ref("CustomerInput"),
			"title": tStr, "pattern_ids": arr(tInt), "notes": tStr, "deposit": tMoney, "received_on": tDay, "promised_on": tDay,
			"share_id": map[string]any{"type": []string{"integer", "null"}, "description": "The share link the job came from (its votes)."},
			"width_in": tNum, "length_in": tNum, "level": tStr, "batting": tStr, "thread": tStr, "binding": tStr,
			"backing_seams": tInt, "prep_hours": tNum, "bobbins": tInt, "tax_rate": null("number"),
			"extra_lines": arr(obj([]string{"amount"}, map[string]any{"kind": tStr, "description": tStr, "amount": tMoney}))}),
		"Job": strict([]string{"id", "customer_id", "title", "status", "width_hundredths", "length_hundredths", "level", "subtotal_cents", "tax_cents", "total_cents"}, map[string]any{
			"id": tInt, "customer_id": tInt, "title": tStr, "status": enum(jobStatuses...),
			"width_hundredths": tInt, "length_hundredths": tInt, "level": tStr, "batting": tStr, "thread": tStr, "binding": tStr,
			"backing_seams": tInt, "prep_hundredths": tInt, "bobbins": tInt, "tax_rate_ppm": tInt, "subtotal_cents": tCents, "tax_cents": tCents,
			"total_cents": tCents, "deposit_cents": tCents, "notes": tStr,
			"rows": null("integer"), "repeats": null("integer"), "stitched_length_in": null("number"), "stitch_minutes": null("number"),
			"thread_yards": null("number"), "bobbins_needed": null("integer"),
			"estimated_hundredths":   map[string]any{"type": "integer", "description": "The time the job takes, in hundredths of an hour."},
			"hours_spent_hundredths": tInt,
			"received_on":            nullDay(), "promised_on": nullDay(), "started_on": nullDay(), "finished_on": nullDay(), "delivered_on": nullDay(),
			"delivery_method": enum("", "picked up", "shipped"), "paid_on": nullDay(), "accepted_on": nullDay(),
			"queue_position": null("integer"), "share_id": null("integer"), "quote_sent_at": nullTime(), "accepted_by": tStr,
			"created_at": tTime, "updated_at": tTime, "customer_name": tStr, "lines": nullArr(ref("Line")), "pattern_ids": nullArr(tInt)}),
		"JobMargin": strict([]string{"job_id", "revenue_cents", "costs_cents", "margin_cents"}, map[string]any{
			"job_id": tInt, "title": tStr, "revenue_cents": tCents, "costs_cents": tCents, "hours_hundredths": tInt, "margin_cents": tCents,
			"margin_per_hour_cents": map[string]any{"type": "integer", "description": "The margin per hour spent (0 without hours)."}}),
		"JobAnswer": strict([]string{"job", "status_word", "width_in", "length_in", "total"}, map[string]any{
			"job": ref("Job"), "status_word": tStr, "width_in": tNum, "length_in": tNum, "total": tStr,
			"margin":      ref("JobMargin"),
			"queue_place": map[string]any{"type": "integer", "minimum": 1, "description": "Its place in the queue from 1 (absent outside it)."},
			"ready_by":    tDate}),
		"QueueEntry": strict([]string{"id", "title", "customer", "status", "ahead", "ready_by", "promised_on", "late", "estimated_hours"}, map[string]any{
			"id": tInt, "title": tStr, "customer": tStr, "status": enum(jobStatuses...), "ahead": tInt, "ready_by": tDate,
			"promised_on": nullDay(), "late": tBool, "estimated_hours": tNum}),
		"Payment": strict([]string{"id", "invoice_id", "paid_on", "amount_cents", "method"}, map[string]any{
			"id": tInt, "invoice_id": tInt, "paid_on": tDayTime, "amount_cents": tCents, "method": enum("cash", "cheque", "card", "transfer"),
			"reference": tStr, "created_at": tTime}),
		"Invoice": strict([]string{"id", "number", "customer_id", "customer_name", "currency", "subtotal_cents", "tax_cents", "total_cents", "paid_cents"}, map[string]any{
			"id": tInt, "number": map[string]any{"type": []string{"string", "null"}, "description": "Given when issued (INV-0001)."},
			"job_id": null("integer"), "customer_id": tInt, "customer_name": tStr, "customer_email": tStr, "customer_address": tStr,
			"issued_on": nullDay(), "due_on": nullDay(), "currency": tStr, "subtotal_cents": tCents, "tax_rate_ppm": tInt, "tax_cents": tCents,
			"total_cents": tCents, "deposit_cents": tCents, "notes": tStr, "sent_at": nullTime(), "voided_at": nullTime(), "created_at": tTime,
			"paid_cents": tCents, "lines": nullArr(ref("Line")), "payments": nullArr(ref("Payment")), "job_title": tStr}),
		"InvoiceAnswer": strict([]string{"invoice", "status", "balance_cents"}, map[string]any{
			"invoice": ref("Invoice"), "status": enum("Draft", "Issued", "Partial", "Paid", "Overdue", "Void"), "balance_cents": tCents}),
		"Period": strict([]string{"label", "revenue_cents", "tax_cents", "received_cents", "costs_cents", "margin_cents", "invoices"}, map[string]any{
			"label":         tStr,
			"revenue_cents": map[string]any{"type": "integer", "description": "Issued invoices before tax, by issue day."},
			"tax_cents":     tCents, "received_cents": map[string]any{"type": "integer", "description": "Payments, by payment day."},
			"costs_cents": tCents, "margin_cents": tCents, "invoices": tInt}),
		"Analytics": strict([]string{"year", "currency", "months", "quarters", "year_total"}, map[string]any{
			"year": tInt, "currency": tStr, "months": nullArr(ref("Period")), "quarters": nullArr(ref("Period")), "year_total": ref("Period"),
			"top_designs_by_revenue": nullArr(ref("DesignFigures")), "top_designs_by_use": nullArr(ref("DesignFigures")),
			"customers_by_value": nullArr(strict([]string{"customer_id", "name", "invoices", "revenue_cents", "paid_cents"}, map[string]any{
				"customer_id": tInt, "name": tStr, "invoices": tInt, "revenue_cents": tCents, "paid_cents": tCents})),
			"queue_length": nullArr(strict([]string{"day", "jobs"}, map[string]any{"day": tDayTime, "jobs": tInt}))}),
		"DesignFigures": strict([]string{"pattern_id", "name", "jobs", "revenue_cents"}, map[string]any{
			"pattern_id": tInt, "name": tStr, "jobs": tInt, "revenue_cents": tCents}),
		"Expense": strict([]string{"id", "spent_on", "category", "description", "amount_cents", "tax_cents"}, map[string]any{
			"id": tInt, "spent_on": tDayTime, "category": tStr, "description": tStr, "amount_cents": tCents, "tax_cents": tCents,
			"job_id": null("integer"), "created_at": tTime}),
		"TaxYear": strict([]string{"year", "currency", "quarters", "income_cents", "tax_cents", "received_cents", "expenses_cents", "expense_tax_cents"}, map[string]any{
			"year": tInt, "currency": tStr, "business": tStr, "invoices": nullArr(ref("Invoice")), "quarters": nullArr(ref("Period")),
			"expenses": nullArr(ref("Expense")), "income_cents": tCents, "tax_cents": tCents, "received_cents": tCents,
			"expenses_cents": tCents, "expense_tax_cents": tCents}),
	}
}

// businessOperations are the business endpoints: owners and editors only
// (a viewer's token is answered 403).
func businessOperations(std func(extra ...int) map[int]map[string]any) []Operation {
	const tag = "Business"
	yearParam := Param{Name: "year", Description: "The calendar year (2000–2200); the current one when absent.", Schema: map[string]any{"type": "string", "pattern": "^[0-9]+$"}}
	invoice := func(method, path, summary, description string, body map[string]any, extra ...int) Operation {
		return Operation{Method: method, Path: path, Tag: tag, Auth: "token", Summary: summary, Description: description, Body: body,
			Responses: with(std(extra...), 200, ref("InvoiceAnswer"))}
	}
	return []Operation{
		{Method: "GET", Path: "/price-list", Tag: tag, Auth: "token", Summary: "The workspace's prices, tax and machine settings",
			Description: "Items are the quilting levels (per square inch, with a minimum), battings, threads and bindings that quotes and jobs name.",
			Responses:   with(std(), 200, strict([]string{"price_list", "settings"}, map[string]any{"price_list": ref("PriceList"), "settings": ref("BusinessSettings")}))},
		{Method: "POST", Path: "/quotes", Tag: tag, Auth: "token", Summary: "Price a quilt (stores nothing)",
			Description: "quilting = width × length × the level's rate, at least its minimum; binding on 2 × (width + length) + 12 in; tax once on the taxable lines, every amount rounded half up to the cent. With an edge-to-edge design's pattern_id the answer also has the plan from its geometry: rows, repeats, stitched_length_in, stitch_minutes, thread_yards and bobbins.",
			Body:        ref("QuoteRequest"),
			Responses:   with(std(400, 404, 422), 200, ref("Quote"))},
		{Method: "GET", Path: "/customers", Tag: tag, Auth: "token", Summary: "Customers, with their quilts, spend and last visit",
			Params: []Param{{Name: "q", Description: "Words found in the name, email or phone.", Schema: tStr},
				{Name: "deleted", Description: "true lists the deleted customers instead.", Schema: enum("true", "false")}},
			Responses: with(std(), 200, strict([]string{"customers"}, map[string]any{"customers": arr(ref("Customer"))}))},
		{Method: "POST", Path: "/customers", Tag: tag, Auth: "token", Summary: "Add a customer",
			Body: ref("CustomerInput"), Responses: with(std(400, 409, 422), 201, ref("Customer"))},
		{Method: "POST", Path: "/customers/import", Tag: tag, Auth: "token", Summary: "Import customers from a CSV",
			Description: "A header row names the columns (name, email, phone, address, delivery, notes, email consent; common spellings are understood). A customer already there by name or email is left as she is. Up to 5 MB.",
			BodyType:    "text/csv", Body: tStr,
			Responses: with(std(400, 413, 422), 200, strict([]string{"added", "existing", "problems"}, map[string]any{"added": tInt, "existing": tInt,
				"problems": arr(strict([]string{"line", "reason"}, map[string]any{"line": tInt, "reason": tStr}))}))},
		{Method: "GET", Path: "/customers/{id}", Tag: tag, Auth: "token", Summary: "A customer with her jobs and invoices",
			Responses: with(std(404), 200, strict([]string{"customer", "jobs", "invoices"}, map[string]any{"customer": ref("Customer"),
				"jobs": arr(ref("Job")), "invoices": arr(ref("InvoiceAnswer"))}))},
		{Method: "PATCH", Path: "/customers/{id}", Tag: tag, Auth: "token", Summary: "Change a customer (the fields sent)",
			Body: ref("CustomerInput"), Responses: with(std(400, 404, 409, 422), 200, ref("Customer"))},
		{Method: "DELETE", Path: "/customers/{id}", Tag: tag, Auth: "token", Summary: "Delete a customer (soft), or restore her with ?restore=true",
			Params:    []Param{{Name: "restore", Schema: enum("true", "false")}},
			Responses: with(std(404), 200, strict([]string{"id", "deleted"}, map[string]any{"id": tInt, "deleted": tBool}))},
		{Method: "GET", Path: "/jobs", Tag: tag, Auth: "token", Summary: "Jobs (customers' quilts)",
			Params: []Param{{Name: "status", Description: "Statuses, comma-separated: " + strings.Join(jobStatuses, ", ") + ".", Schema: tStr},
				{Name: "customer_id", Schema: map[string]any{"type": "string", "pattern": "^[0-9]+$"}},
				{Name: "pattern_id", Description: "Jobs quilted with this design.", Schema: map[string]any{"type": "string", "pattern": "^[0-9]+$"}}},
			Responses: with(std(), 200, strict([]string{"jobs"}, map[string]any{"jobs": arr(ref("Job"))}))},
		{Method: "POST", Path: "/jobs", Tag: tag, Auth: "token", Summary: "Make a job (a quote) for a customer",
			Description: "Priced from the price list and planned from its first design's geometry. share_id makes it from a share link's votes.",
			Body:        ref("JobInput"), Responses: with(std(400, 404, 422), 201, ref("JobAnswer"))},
		{Method: "GET", Path: "/jobs/{id}", Tag: tag, Auth: "token", Summary: "A job with its margin and, queued, its place and ready day",
			Responses: with(std(404), 200, ref("JobAnswer"))},
		{Method: "PATCH", Path: "/jobs/{id}", Tag: tag, Auth: "token", Summary: "Change a job's quilt, choices and dates (priced again)",
			Body: ref("JobInput"), Responses: with(std(400, 404, 409, 422), 200, ref("JobAnswer"))},
		{Method: "POST", Path: "/jobs/{id}/status", Tag: tag, Auth: "token", Summary: "Move a job to a status",
			Description: "quote → accepted → in_queue → quilting → finished → delivered → paid, or cancelled; the day it happened is filled (on, or today). method is how a delivered quilt left.",
			Body: strict([]string{"status"}, map[string]any{"status": enum(jobStatuses...), "on": tDay,
				"method": enum("", "picked up", "shipped")}),
			Responses: with(std(400, 404, 409, 422), 200, ref("JobAnswer"))},
		{Method: "POST", Path: "/jobs/{id}/send-quote", Tag: tag, Auth: "token", Summary: "Email the quote to the customer with an accept link",
			Description: "The customer accepts from the email with no account. 422 no_email when she has no address.",
			Responses:   with(std(404, 409, 422), 200, strict([]string{"sent_to", "accept_url"}, map[string]any{"sent_to": tStr, "accept_url": tStr}))},
		{Method: "GET", Path: "/queue", Tag: tag, Auth: "token", Summary: "The queue in order, with when each job and a new one would be ready",
			Description: "From the jobs' estimated hours at her weekly hours.",
			Responses: with(std(), 200, strict([]string{"jobs", "weekly_hours", "next_free"}, map[string]any{"jobs": arr(ref("QueueEntry")),
				"weekly_hours": tNum, "next_free": map[string]any{"type": "string", "format": "date", "description": "When a new job of an average size would be ready."}}))},
		{Method: "GET", Path: "/invoices", Tag: tag, Auth: "token", Summary: "Invoices, newest first",
			Params:    []Param{{Name: "year", Description: "Only this year's.", Schema: map[string]any{"type": "string", "pattern": "^[0-9]*$"}}},
			Responses: with(std(), 200, strict([]string{"invoices"}, map[string]any{"invoices": arr(ref("InvoiceAnswer"))}))},
		{Method: "POST", Path: "/invoices", Tag: tag, Auth: "token", Summary: "Make a job's invoice (a draft, or issued with issue: true)",
			Description: "Issuing numbers it and copies the job's lines and the customer's details.",
			Body:        strict([]string{"job_id"}, map[string]any{"job_id": tInt, "issue": tBool}),
			Responses:   with(std(400, 404, 409, 422), 201, ref("InvoiceAnswer"))},
		invoice("GET", "/invoices/{id}", "An invoice with its lines and payments", "", nil, 404),
		{Method: "GET", Path: "/invoices/{id}/pdf", Tag: tag, Auth: "token", Summary: "An invoice as a PDF", RawType: "application/pdf",
			Responses: with(std(404), 200, nil)},
		invoice("POST", "/invoices/{id}/issue", "Issue a draft invoice (numbered, lines and customer copied)", "", nil, 404, 409),
		invoice("POST", "/invoices/{id}/send", "Email an issued invoice with its PDF to the customer", "422 no_email when she has no address.", nil, 404, 409, 422),
		invoice("POST", "/invoices/{id}/void", "Void an invoice without payments", "", nil, 404, 409),
		invoice("POST", "/invoices/{id}/payments", "Record a payment on an issued invoice", "The answer's status becomes Partial or Paid.",
			strict([]string{"amount", "method"}, map[string]any{"amount": map[string]any{"type": "number", "exclusiveMinimum": 0, "description": "276.24"},
				"method": enum("cash", "cheque", "card", "transfer"), "on": tDay, "reference": tStr}), 400, 404, 409, 422),
		{Method: "GET", Path: "/analytics/revenue", Tag: tag, Auth: "token", Summary: "A year's revenue, costs and margin by month, quarter and year; top designs, customers by value, queue length",
			Description: "format=csv answers one table as CSV: months (the default), quarters, designs, customers or queue.",
			Params: []Param{yearParam, {Name: "format", Schema: enum("json", "csv")},
				{Name: "table", Schema: enum("months", "quarters", "designs", "customers", "queue")}},
			RawType:   "text/csv",
			Responses: with(std(422), 200, ref("Analytics"))},
		{Method: "GET", Path: "/tax", Tag: tag, Auth: "token", Summary: "A tax year: income per invoice, tax per quarter, expenses",
			Params:    []Param{yearParam},
			Responses: with(std(422), 200, strict([]string{"tax_year", "invoices"}, map[string]any{"tax_year": ref("TaxYear"), "invoices": arr(ref("InvoiceAnswer"))}))},
		{Method: "GET", Path: "/tax/{kind}", Tag: tag, Auth: "token", Summary: "A tax year as CSV for the accountant: income.csv or expenses.csv",
			Description: "income.csv has one row per issued invoice (number, day, customer, net, tax rate, tax, total, paid, currency); expenses.csv one per expense.",
			Params:      []Param{yearParam},
			RawType:     "text/csv",
			Responses:   with(std(404, 422), 200, nil)},
	}
}
