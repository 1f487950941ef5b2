package cni

import (
	"strconv"

	"github.com/nsnet/nsnet/internal/jsonlite"
)

// Error codes of the spec (SPEC.md "Error"); 0-99 are reserved for the
// spec, 100+ are nsnet's own.
const (
	CodeIncompatibleVersion = 1  // incompatible CNI version
	CodeUnsupportedField    = 2  // unsupported field in network configuration
	CodeUnknownContainer    = 3  // container unknown or does not exist
	CodeInvalidEnvironment  = 4  // invalid necessary environment variables (named in the message)
	CodeIOFailure           = 5  // I/O failure
	CodeDecodingFailure     = 6  // failed to decode content
	CodeInvalidConfig       = 7  // invalid network config
	CodeTryAgainLater       = 11 // transient: the runtime should retry
	CodeNotAvailable        = 50 // STATUS: cannot service ADD
	CodeLimitedConnectivity = 51 // STATUS: not available, and existing containers may be cut off
	CodeInternal            = 999
)

// An Error is the spec's error result. The plugin writes it on stdout
// (where libcni reads it) with the request's cniVersion.
type Error struct {
	Code    int
	Msg     string // short: "failed to allocate for range 0"
	Details string // longer; optional
}

func (e *Error) Error() string {
	if e.Details == "" {
		return e.Msg
	}
	return e.Msg + "; " + e.Details
}

// AppendJSON appends the error result as the spec writes it:
// {"cniVersion":V,"code":N,"msg":M,"details":D}, details omitted when
// empty, and cniVersion when unknown.
func (e *Error) AppendJSON(b []byte, cniVersion string) []byte {
	b = append(b, '{')
	if cniVersion != "" {
		b = appendStr(b, "cniVersion", cniVersion)
	}
	b = appendInt(b, "code", e.Code)
	b = appendStr(b, "msg", e.Msg)
	if e.Details != "" {
		b = appendStr(b, "details", e.Details)
	}
	return append(b, '}')
}

// DecodeErrorResult reads an error result (a delegated plugin's): its
// cniVersion and the Error. Code must be a non-negative integer.
func DecodeErrorResult(data []byte) (cniVersion string, e *Error, err error) {
	root, err := jsonlite.Parse(data)
	if err != nil {
		return "", nil, &DecodeError{Msg: err.Error()}
	}
	e = &Error{}
	code := -1
	err = object(&root, "", func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "cniVersion":
			return str(v, path, &cniVersion)
		case "code":
			return integer(v, path, &code)
		case "msg":
			return str(v, path, &e.Msg)
		case "details":
			return str(v, path, &e.Details)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	if root.Kind != jsonlite.Object || code < 0 {
		return "", nil, &DecodeError{Msg: "not an error result: no code " + strconv.Itoa(code)}
	}
	e.Code = code
	return cniVersion, e, nil
}
