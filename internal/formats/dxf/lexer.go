package dxf

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// pair is one group: a code and its value, with the line the code is on.
type pair struct {
	code  int
	value string
	line  int
}

// lexer reads group pairs from ASCII DXF.
type lexer struct {
	data   []byte
	pos    int
	line   int
	peeked *pair
}

// errEOF marks the end of the input.
var errEOF = fmt.Errorf("dxf: unexpected end of file")

// readLine returns the next line without its line end; the bytes alias
// the input.
func (lx *lexer) readLine() ([]byte, bool) {
	if lx.pos >= len(lx.data) {
		return nil, false
	}
	rest := lx.data[lx.pos:]
	i := bytes.IndexByte(rest, '\n')
	var l []byte
	if i < 0 {
		l = rest
		lx.pos = len(lx.data)
	} else {
		l = rest[:i]
		lx.pos += i + 1
	}
	lx.line++
	return bytes.TrimRight(l, "\r"), true
}

// parseCode parses a group code line (an integer with optional spaces)
// without allocating.
func parseCode(b []byte) (int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 6 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg || b[0] == '+' {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// next returns the next pair, or errEOF at the end of the data.
func (lx *lexer) next() (pair, error) {
	if lx.peeked != nil {
		p := *lx.peeked
		lx.peeked = nil
		return p, nil
	}
	for {
		codeText, ok := lx.readLine()
		if !ok {
			return pair{}, errEOF
		}
		line := lx.line
		if len(bytes.TrimSpace(codeText)) == 0 && lx.pos >= len(lx.data) {
			return pair{}, errEOF // trailing blank line
		}
		code, ok := parseCode(codeText)
		if !ok {
			return pair{}, fmt.Errorf("dxf: line %d: group code %q: not an integer", line, clip(string(codeText)))
		}
		value, ok := lx.readLine()
		if !ok {
			return pair{}, fmt.Errorf("dxf: line %d: group code %d has no value", line, code)
		}
		if code == 999 {
			continue // comment
		}
		return pair{code: code, value: string(bytes.TrimSpace(value)), line: line}, nil
	}
}

// peek returns the next pair without consuming it.
func (lx *lexer) peek() (pair, error) {
	if lx.peeked == nil {
		p, err := lx.next()
		if err != nil {
			return p, err
		}
		lx.peeked = &p
	}
	return *lx.peeked, nil
}

// float parses the pair's value as a finite number.
func (p pair) float() (float64, error) {
	v, err := strconv.ParseFloat(p.value, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("line %d: group code %d: bad number %q", p.line, p.code, clip(p.value))
	}
	return v, nil
}

// int parses the pair's value as an integer.
func (p pair) int() (int, error) {
	v, err := strconv.Atoi(p.value)
	if err != nil {
		return 0, fmt.Errorf("line %d: group code %d: bad integer %q", p.line, p.code, clip(p.value))
	}
	return v, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
