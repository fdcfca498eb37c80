package business

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/problem"
)

// A real-looking export of a spreadsheet: first/last name columns, an
// address in parts, a quoted note with a comma and a line break, a blank
// row, a repeated customer and a bad email.
const sampleCSV = "\xef\xbb\xbfFirst Name,Last Name,E-mail,Phone,Street,City,State,Zip,Notes,Delivery\r\n" +
	"Jane,Doe,jane@example.com,555-0101,1 Elm St,Springfield,IL,62701,\"Likes feathers, hates pantos\nCall first\",pick up\r\n" +
	",,,,,,,,,\r\n" +
	"Mary,Smith,mary@example.com,,,,,,,ship\r\n" +
	"Jane,Doe,JANE@example.com,,,,,,,\r\n" +
	"Bob,Bad,not-an-email,,,,,,,\r\n"

func TestParseCustomersCSV(t *testing.T) {
	cs, probs, err := ParseCustomersCSV(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("customers %+v, want Jane and Mary", cs)
	}
	j := cs[0]
	if j.Name != "Jane Doe" || j.Email != "jane@example.com" || j.Address != "1 Elm St, Springfield, IL, 62701" ||
		j.Delivery != "pickup" || !strings.Contains(j.Notes, "hates pantos\nCall first") {
		t.Errorf("Jane = %+v", j)
	}
	if cs[1].Delivery != "ship" {
		t.Errorf("Mary = %+v", cs[1])
	}
	if len(probs) != 2 || probs[0].Line != 6 || !strings.Contains(probs[0].Reason, "earlier") || probs[1].Line != 7 || !strings.Contains(probs[1].Reason, "email") {
		t.Errorf("problems %+v, want line 6 repeated and line 7 a bad email", probs)
	}
	// Semicolons, as European spreadsheets write them.
	cs, _, err = ParseCustomersCSV(strings.NewReader("Name;Email\nAnna;anna@example.com\n"))
	if err != nil || len(cs) != 1 || cs[0].Email != "anna@example.com" {
		t.Errorf("semicolon CSV: %+v %v", cs, err)
	}
	for name, in := range map[string]string{
		"no name column": "Email,Phone\nx@example.com,1\n",
		"not text":       "Name\n\xff\xfe\n",
		"empty":          "",
		"too large":      "Name\n" + strings.Repeat("a", MaxCSVBytes),
		"too many rows":  "Name\n" + strings.Repeat("x\n", MaxCSVRows+1),
	} {
		_, _, err := ParseCustomersCSV(strings.NewReader(in))
		var p *problem.Error
		if !errors.As(err, &p) || p.Message == "" {
			t.Errorf("%s: err %v, want a problem", name, err)
		}
	}
}

// FuzzParseCustomersCSV: whatever the bytes, the parser returns within
// its limits, never panics, and every customer it returns passes the
// customer rules.
func FuzzParseCustomersCSV(f *testing.F) {
	f.Add([]byte(sampleCSV))
	f.Add([]byte("Name;Email\nAnna;anna@example.com\n"))
	f.Add([]byte("Name\n\"unterminated\n"))
	f.Add([]byte("name,email,email,name\n\"a\"\"b\",x@y.z,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, probs, err := ParseCustomersCSV(bytes.NewReader(data))
		if err != nil {
			if _, ok := problem.As(err); !ok {
				t.Fatalf("error that is not a problem: %v", err)
			}
			return
		}
		if len(cs)+len(probs) > MaxCSVRows+1 {
			t.Fatalf("%d rows from %d bytes", len(cs)+len(probs), len(data))
		}
		for _, c := range cs {
			if err := cleanCustomer(&c); err != nil || !utf8.ValidString(c.Name) || c.Name == "" {
				t.Fatalf("customer %+v breaks the rules: %v", c, err)
			}
		}
	})
}
