// Package auth holds PatternVault's credentials: argon2id password hashes,
// random tokens stored only as hashes, browser sessions and rate limits.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/patternvault/patternvault/internal/problem"
)

// Argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password length limits, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 200
)

// ErrWeakPassword is a new password that breaks the rules; its message
// says which.
var ErrWeakPassword = problem.Invalid("weak_password", "Please choose a stronger password.")

// CheckPasswordRules says what is wrong with a new password, or nil.
func CheckPasswordRules(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return ErrWeakPassword.Reword(fmt.Sprintf("Password too short: use at least %d characters (a short sentence works well).", MinPasswordLen))
	case n > MaxPasswordLen:
		return ErrWeakPassword.Reword(fmt.Sprintf("Password too long: use at most %d characters.", MaxPasswordLen))
	case email != "" && strings.EqualFold(password, email):
		return ErrWeakPassword.Reword("Please do not use your email address as your password.")
	}
	return nil
}

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash, in constant time.
// A malformed hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory uint32
	var time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	if memory > 1<<20 || time > 10 || threads == 0 { // refuse hashes that would cost too much to check
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when an account does not exist, so that a
// failed sign-in takes as long whether or not the email is known. It is
// made on the first failed sign-in, not when the program starts: hashing
// costs 19 MiB and tens of milliseconds, which every CLI command would pay.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("patternvault-dummy-password")
	return h
})

// CheckPasswordOrDummy is CheckPassword that spends the same time when
// there is no hash (unknown account or no password set) and then fails.
func CheckPasswordOrDummy(hash *string, password string) bool {
	if hash == nil || *hash == "" {
		CheckPassword(dummyHash(), password)
		return false
	}
	return CheckPassword(*hash, password)
}
