// Package english knows which words are English: about 65,000 lower-case
// words of three letters or more (SCOWL's size-50 American and British
// lists; see gen.sh and SCOWL-LICENSE), embedded. Search asks it before
// "correcting" a word ("boat" is a word, not a typo of "bat"), and the
// import asks it before reading a plural as its singular.
package english

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

//go:embed words.txt.gz
var wordsGz []byte

var (
	once  sync.Once
	known map[string]struct{}
)

func load() {
	r, err := gzip.NewReader(bytes.NewReader(wordsGz))
	if err != nil {
		panic("english: the embedded word list is unreadable: " + err.Error()) // part of the build; a test catches it
	}
	known = make(map[string]struct{}, 70000)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			known[w] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		panic("english: the embedded word list is unreadable: " + err.Error())
	}
}

// Known reports whether w, in lower case, is an English word of the list.
// Words of one or two letters are never in it.
func Known(w string) bool {
	once.Do(load)
	_, ok := known[w]
	return ok
}

// Len is the number of words in the list.
func Len() int {
	once.Do(load)
	return len(known)
}
