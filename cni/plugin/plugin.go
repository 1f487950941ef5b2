package plugin

import (
	"errors"
	"io"
	"strings"

	"github.com/nsnet/nsnet/cni"
	"github.com/nsnet/nsnet/internal/jsonlite"
	"github.com/nsnet/nsnet/netops"
	"github.com/nsnet/nsnet/nsutil"
)

// Run runs one CNI invocation: the CNI_* variables through getenv, the
// configuration on stdin, the result (or the spec's error JSON) on
// stdout. It returns the process's exit code: 0, or 1 with an error
// result written.
func Run(getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	p := &call{getenv: getenv, stderr: stderr}
	out, err := p.run(stdin)
	if err != nil {
		e := asError(err)
		stdout.Write(append(e.AppendJSON(nil, p.version()), '\n'))
		return 1
	}
	if out != nil {
		if _, err := stdout.Write(out); err != nil {
			return 1
		}
	}
	return 0
}

// call is one invocation.
type call struct {
	getenv func(string) string
	stderr io.Writer
	env    cni.Env
	stdin  []byte
	conf   *cni.NetConf
	inVer  string // the input's cniVersion, for the error JSON
}

func (p *call) version() string {
	if p.conf != nil {
		return p.conf.CNIVersion
	}
	return p.inVer
}

func (p *call) run(stdin io.Reader) ([]byte, error) {
	env, e := cni.ParseEnv(p.getenv)
	p.env = env
	if e != nil {
		return nil, e
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return nil, &cni.Error{Code: cni.CodeIOFailure, Msg: "error reading from stdin: " + err.Error()}
	}
	p.stdin = data
	p.inVer = peekVersion(data)
	if env.Command == cni.CmdVersion {
		return versionResult(p.inVer), nil
	}
	c, err := cni.DecodeConf(data)
	if err != nil {
		return nil, err
	}
	p.conf = c
	switch env.Command {
	case cni.CmdCheck:
		if !cni.AtLeast(c.CNIVersion, "0.4.0") {
			return nil, &cni.Error{Code: cni.CodeIncompatibleVersion, Msg: "config version does not allow CHECK"}
		}
	case cni.CmdGC, cni.CmdStatus:
		if !cni.AtLeast(c.CNIVersion, "1.1.0") {
			return nil, &cni.Error{Code: cni.CodeIncompatibleVersion, Msg: "config version does not allow " + env.Command}
		}
	}
	if err := env.KnownArgs("IP", "MAC"); err != nil {
		return nil, &cni.Error{Code: cni.CodeInvalidEnvironment, Msg: "invalid CNI_ARGS: " + err.Error()}
	}
	switch env.Command {
	case cni.CmdAdd:
		return p.add()
	case cni.CmdDel:
		return nil, p.del()
	case cni.CmdCheck:
		return nil, p.check()
	case cni.CmdGC:
		return nil, p.gc()
	case cni.CmdStatus:
		return nil, p.status()
	}
	return nil, &cni.Error{Code: cni.CodeInvalidEnvironment, Msg: "unknown CNI_COMMAND: " + env.Command}
}

// peekVersion is the input's cniVersion if it has one, for the error
// JSON of a configuration that does not decode.
func peekVersion(data []byte) string {
	v, err := jsonlite.Parse(data)
	if err != nil || v.Kind != jsonlite.Object {
		return ""
	}
	ver := ""
	for _, m := range v.Members {
		if m.Key == "cniVersion" && m.Value.Kind == jsonlite.String {
			ver = m.Value.Text
		}
	}
	return ver
}

// versionResult is VERSION's answer, in the input's version (or the
// newest, for an input without one).
func versionResult(in string) []byte {
	if in == "" {
		in = cni.SpecVersion
	}
	b := []byte(`{"cniVersion":`)
	b = jsonlite.AppendString(b, in)
	b = append(b, `,"supportedVersions":`...)
	b = jsonlite.AppendArray(b, cni.Versions, jsonlite.AppendString)
	return append(b, "}\n"...)
}

// asError turns any error into the spec's error result: the CNI errors
// keep their code; decoding errors are 6; a netns that cannot be opened
// is 3 unknown container... everything else is an internal error (999)
// with nsnet's message.
func asError(err error) *cni.Error {
	var ce *cni.Error
	if errors.As(err, &ce) {
		return ce
	}
	var de *cni.DecodeError
	if errors.As(err, &de) {
		return &cni.Error{Code: cni.CodeDecodingFailure, Msg: "failed to decode the network configuration", Details: de.Error()}
	}
	var se *jsonlite.SyntaxError
	if errors.As(err, &se) {
		return &cni.Error{Code: cni.CodeDecodingFailure, Msg: "failed to decode", Details: se.Error()}
	}
	var conflict *netops.ConflictError
	if errors.As(err, &conflict) {
		return &cni.Error{Code: cni.CodeInvalidConfig, Msg: err.Error()}
	}
	return &cni.Error{Code: cni.CodeInternal, Msg: err.Error()}
}

// openNetns opens CNI_NETNS: a path that is not there, or not a network
// namespace, is code 3 (unknown container).
func openNetns(path string) (*netops.NS, error) {
	ns, err := nsutil.OpenPath(path)
	if err != nil {
		return nil, &cni.Error{Code: cni.CodeUnknownContainer, Msg: "failed to open netns " + quoted(path), Details: err.Error()}
	}
	n, err := netops.Open(ns, path)
	if err != nil {
		ns.Close()
		return nil, err
	}
	return n, nil
}

func quoted(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
