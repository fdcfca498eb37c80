package storeapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries a callback's signature:
//
//	PatternVault-Signature: t=1767225600,v1=5f2b...
//
// v1 is the hex HMAC-SHA256, keyed with the store's signing secret, of the
// timestamp, a dot and the raw body ("1767225600.{...}"). A store checks it
// with the same computation and refuses timestamps older than a few
// minutes, so a captured callback cannot be replayed later.
const SignatureHeader = "PatternVault-Signature"

// Sign returns the signature header value of body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is a callback whose signature does not verify.
var ErrBadSignature = errors.New("storeapi: callback signature does not verify")

// ErrStaleSignature is a callback signed too long ago (or in the future).
var ErrStaleSignature = errors.New("storeapi: callback signature is outside the allowed time window")

// Verify checks a signature header against body, at now, allowing
// tolerance of clock difference and delay: what a store does with a
// callback.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(n, 0)); d > tolerance || d < -tolerance {
		return ErrStaleSignature
	}
	if !hmac.Equal([]byte(mac(secret, ts, body)), []byte(sig)) {
		return ErrBadSignature
	}
	return nil
}
