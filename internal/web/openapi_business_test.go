package web

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// contractBusiness calls every business operation of the API through the
// contract's client (each request and answer validated against the
// OpenAPI document): the price list and a quote (the worked
// example, and planned with design pid), customers (add, import a CSV,
// search, read, change, delete), a job from quote to finished with its
// quote emailed, the queue, invoices (draft, issued, sent, paid, PDF, a
// second one voided), the year's analytics as JSON and CSV, and the tax
// year with its CSVs.
func contractBusiness(t *testing.T, call func(method, path, token string, body any, header ...string) (int, map[string]any),
	expect func(what string, got, want int, body map[string]any), tok string, pid int64) {
	t.Helper()
	st, body := call("GET", "/api/v1/price-list", tok, nil)
	expect("price list", st, 200, body)
	example := map[string]any{"width_in": 90, "length_in": 108, "level": "Light edge-to-edge", "binding": "Machine finished",
		"thread": "Standard", "tax_rate": 0.06}
	st, body = call("POST", "/api/v1/quotes", tok, example)
	expect("quote", st, 200, body)
	if body["total_cents"] != float64(27624) {
		t.Errorf("the worked example = %v, want total_cents 27624", body)
	}
	example["pattern_id"] = pid
	st, body = call("POST", "/api/v1/quotes", tok, example)
	expect("quote with a design", st, 200, body)
	if body["rows"] == nil || body["stitched_length_in"] == nil || body["thread_yards"] == nil {
		t.Errorf("a quote with a design = %v, want rows, stitched_length_in and thread_yards", body)
	}
	delete(example, "pattern_id")
	st, body = call("POST", "/api/v1/quotes", tok, map[string]any{"width_in": 90, "length_in": 108, "level": "Gold leaf"})
	expect("quote at an unknown level", st, 422, body)

	// Customers.
	st, body = call("POST", "/api/v1/customers", tok, map[string]any{"name": "Jane Doe", "email": "jane@example.com", "delivery": "pickup", "email_consent": true})
	expect("add customer", st, 201, body)
	jane := jsonID(body["id"])
	csv := bytes.NewBufferString("Name,Email,Phone\nAnn Lee,ann@example.com,555-0101\nJane Doe,jane@example.com,\n")
	st, body = call("POST", "/api/v1/customers/import", tok, csv, "Content-Type", "text/csv")
	expect("import customers", st, 200, body)
	if body["added"] != float64(1) || body["existing"] != float64(1) {
		t.Errorf("import = %v, want 1 added and 1 existing", body)
	}
	st, body = call("GET", "/api/v1/customers?q=ann", tok, nil)
	expect("search customers", st, 200, body)
	cs, _ := body["customers"].([]any)
	if len(cs) != 1 {
		t.Fatalf("customers matching ann = %v", body)
	}
	ann := jsonID(cs[0].(map[string]any)["id"])
	st, body = call("PATCH", "/api/v1/customers/"+jane, tok, map[string]any{"phone": "555-0199", "photo_consent": true})
	expect("change customer", st, 200, body)
	st, body = call("GET", "/api/v1/customers/999999", tok, nil)
	expect("missing customer", st, 404, body)

	// A job from quote to finished.
	job := map[string]any{"title": "Jane's wedding quilt", "pattern_ids": []int64{pid}, "promised_on": "2026-12-24", "deposit": 50}
	for k, v := range example {
		job[k] = v
	}
	job["customer_id"] = idNum(t, jane)
	st, body = call("POST", "/api/v1/jobs", tok, job)
	expect("make job", st, 201, body)
	jid := jsonID(body["job"].(map[string]any)["id"])
	st, body = call("PATCH", "/api/v1/jobs/"+jid, tok, map[string]any{"title": "Jane's wedding quilt", "width_in": 90, "length_in": 108,
		"level": "Light edge-to-edge", "binding": "Machine finished", "thread": "Standard", "tax_rate": 0.06, "notes": "Cream thread", "pattern_ids": []int64{pid}})
	expect("change job", st, 200, body)
	st, body = call("POST", "/api/v1/jobs/"+jid+"/send-quote", tok, nil)
	expect("send quote", st, 200, body)
	if body["sent_to"] != "jane@example.com" || !strings.HasPrefix(fmt.Sprint(body["accept_url"]), "http") {
		t.Errorf("send quote = %v", body)
	}
	for _, s := range []string{"accepted", "in_queue"} {
		st, body = call("POST", "/api/v1/jobs/"+jid+"/status", tok, map[string]any{"status": s})
		expect("status "+s, st, 200, body)
	}
	st, body = call("GET", "/api/v1/queue", tok, nil)
	expect("queue", st, 200, body)
	if q, _ := body["jobs"].([]any); len(q) != 1 {
		t.Errorf("queue = %v, want the one job", body)
	}
	st, body = call("GET", "/api/v1/jobs/"+jid, tok, nil)
	expect("job", st, 200, body)
	if body["queue_place"] != float64(1) {
		t.Errorf("job in the queue = %v, want queue_place 1", body)
	}
	for _, s := range []string{"quilting", "finished"} {
		st, body = call("POST", "/api/v1/jobs/"+jid+"/status", tok, map[string]any{"status": s})
		expect("status "+s, st, 200, body)
	}
	st, body = call("POST", "/api/v1/jobs/999999/status", tok, map[string]any{"status": "delivered", "method": "shipped"})
	expect("a missing job delivered", st, 404, body)
	st, body = call("GET", "/api/v1/jobs?status=finished&customer_id="+jane, tok, nil)
	expect("jobs", st, 200, body)
	if js, _ := body["jobs"].([]any); len(js) != 1 {
		t.Errorf("finished jobs of Jane = %v, want 1", body)
	}

	// Invoices: a draft issued, sent, paid; another voided.
	st, body = call("POST", "/api/v1/invoices", tok, map[string]any{"job_id": idNum(t, jid)})
	expect("draft invoice", st, 201, body)
	inv := jsonID(body["invoice"].(map[string]any)["id"])
	st, body = call("POST", "/api/v1/invoices/"+inv+"/send", tok, nil)
	expect("send a draft", st, 409, body)
	st, body = call("POST", "/api/v1/invoices/"+inv+"/issue", tok, nil)
	expect("issue invoice", st, 200, body)
	issued := fmt.Sprint(body["invoice"].(map[string]any)["issued_on"])
	year := issued[:4]
	st, body = call("POST", "/api/v1/invoices/"+inv+"/send", tok, nil)
	expect("send invoice", st, 200, body)
	st, _ = call("GET", "/api/v1/invoices/"+inv+"/pdf", tok, nil)
	expect("invoice PDF", st, 200, nil)
	st, body = call("POST", "/api/v1/invoices/"+inv+"/payments", tok, map[string]any{"amount": 276.24, "method": "card", "reference": "x1"})
	expect("payment", st, 200, body)
	if body["status"] != "Paid" || body["balance_cents"] != float64(0) {
		t.Errorf("paid invoice = %v", body)
	}
	st, body = call("GET", "/api/v1/invoices/"+inv, tok, nil)
	expect("invoice", st, 200, body)
	second := map[string]any{"new_customer": map[string]any{"name": "Bo Park", "email": "bo@example.com"}, "title": "Bo's baby quilt",
		"width_in": 40, "length_in": 50, "level": "Light edge-to-edge"}
	st, body = call("POST", "/api/v1/jobs", tok, second)
	expect("job for a new customer", st, 201, body)
	jid2 := jsonID(body["job"].(map[string]any)["id"])
	st, body = call("POST", "/api/v1/jobs/"+jid2+"/status", tok, map[string]any{"status": "accepted", "on": "2026-03-02"})
	expect("accept", st, 200, body)
	st, body = call("POST", "/api/v1/invoices", tok, map[string]any{"job_id": idNum(t, jid2), "issue": true})
	expect("issued invoice", st, 201, body)
	inv2 := jsonID(body["invoice"].(map[string]any)["id"])
	st, body = call("POST", "/api/v1/invoices/"+inv2+"/void", tok, nil)
	expect("void invoice", st, 200, body)
	if body["status"] != "Void" {
		t.Errorf("voided invoice = %v", body)
	}
	st, body = call("GET", "/api/v1/invoices?year="+year, tok, nil)
	expect("invoices", st, 200, body)

	// The year's money and the tax year reflect the paid invoice.
	st, body = call("GET", "/api/v1/analytics/revenue?year="+year, tok, nil)
	expect("revenue", st, 200, body)
	if tot, _ := body["year_total"].(map[string]any); tot["revenue_cents"] != float64(26060) || tot["received_cents"] != float64(27624) {
		t.Errorf("revenue = %v, want 26060 invoiced and 27624 received", body["year_total"])
	}
	st, _ = call("GET", "/api/v1/analytics/revenue?year="+year+"&format=csv&table=quarters", tok, nil)
	expect("revenue CSV", st, 200, nil)
	st, body = call("GET", "/api/v1/analytics/revenue?year=1066", tok, nil)
	expect("revenue of 1066", st, 422, body)
	st, body = call("GET", "/api/v1/tax?year="+year, tok, nil)
	expect("tax year", st, 200, body)
	if ty, _ := body["tax_year"].(map[string]any); ty["tax_cents"] != float64(1564) {
		t.Errorf("tax year = %v, want 1564 tax", ty)
	}
	st, _ = call("GET", "/api/v1/tax/income.csv?year="+year, tok, nil)
	expect("income CSV", st, 200, nil)
	st, _ = call("GET", "/api/v1/tax/expenses.csv?year="+year, tok, nil)
	expect("expenses CSV", st, 200, nil)
	st, body = call("GET", "/api/v1/tax/receipts?year="+year, tok, nil)
	expect("unknown tax export", st, 404, body)

	// A customer deleted (soft) and restored.
	st, body = call("DELETE", "/api/v1/customers/"+ann, tok, nil)
	expect("delete customer", st, 200, body)
	st, body = call("GET", "/api/v1/customers?deleted=true", tok, nil)
	expect("deleted customers", st, 200, body)
	st, body = call("DELETE", "/api/v1/customers/"+ann+"?restore=true", tok, nil)
	expect("restore customer", st, 200, body)
	st, body = call("GET", "/api/v1/customers/"+jane, tok, nil)
	expect("customer", st, 200, body)
}

// idNum is an id read from a path back as the number a JSON body carries.
func idNum(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return n
}
