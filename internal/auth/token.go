package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// NewToken returns a random token of 256 bits, URL-safe, with prefix
// prepended ("" for none). Only its hash is ever stored.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails on Linux
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of a token, the form kept in the database.
// Tokens have 256 random bits, so a fast hash is safe here.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// APITokenPrefix starts every personal API token, so leaked tokens are easy
// to recognise by secret scanners.
const APITokenPrefix = "pv_"

// LooksLikeAPIToken reports whether s has the shape of an API token.
func LooksLikeAPIToken(s string) bool {
	return strings.HasPrefix(s, APITokenPrefix) && len(s) == len(APITokenPrefix)+43
}
