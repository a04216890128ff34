// Package peerboard holds the domain of a peer-support credentialing board:
// its types, the rules of the credential lifecycle and the permission
// predicates. It knows nothing of HTTP or SQL; the other packages meet
// through the types defined here.
package peerboard

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the server's error table.
const (
	ECONFLICT     = "conflict"     // the record changed or already exists
	EINTERNAL     = "internal"     // a bug or an outage; never shown in detail
	EINVALID      = "invalid"      // the input breaks a rule
	ENOTFOUND     = "not_found"    // no such record, or not one the user may see
	EUNAUTHORIZED = "unauthorized" // not signed in
	EFORBIDDEN    = "forbidden"    // signed in, but the role may not do this
	ETOOLARGE     = "too_large"    // a request body or file over its limit
	ERATELIMIT    = "rate_limited" // too many attempts
	EMALFORMED    = "malformed"    // a body that cannot be parsed at all
)

// Error is the one error type of the domain. Message is safe to show to the
// user; Fields holds per-field messages for forms.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("peerboard error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors returns an EINVALID error carrying per-field messages.
func FieldErrors(message string, fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong."
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
