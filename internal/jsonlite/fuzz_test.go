package jsonlite

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// The fuzz targets hold the package to encoding/json. Seeds for FuzzParse
// are in testdata/fuzz/FuzzParse.

// toAny converts v as json.Unmarshal into any does with UseNumber: the
// last of repeated keys wins.
func toAny(v Value) any {
	switch v.Kind {
	case Null:
		return nil
	case Bool:
		return v.Bool
	case Number:
		return json.Number(v.Text)
	case String:
		return v.Text
	case Array:
		out := []any{}
		for _, e := range v.Elems {
			out = append(out, toAny(e))
		}
		return out
	case Object:
		out := map[string]any{}
		for _, m := range v.Members {
			out[m.Key] = toAny(m.Value)
		}
		return out
	}
	panic("an Invalid value in a tree without error")
}

// lineAt is the 1-based line of data[off].
func lineAt(data []byte, off int) int { return bytes.Count(data[:off], []byte{'\n'}) + 1 }

// tokenWalk checks v against the token stream of an encoding/json
// Decoder: the same tokens in the same order (so repeated keys too), and
// each value and key on the line where its token is.
type tokenWalk struct {
	t    *testing.T
	data []byte
	dec  *json.Decoder
}

func (w *tokenWalk) token() (json.Token, int) {
	tok, err := w.dec.Token()
	if err != nil {
		w.t.Fatalf("encoding/json's Token: %v", err)
	}
	off := int(w.dec.InputOffset()) // just past the token
	for off > 0 && strings.IndexByte(" \t\r\n", w.data[off-1]) >= 0 {
		off--
	}
	return tok, lineAt(w.data, off-1)
}

func (w *tokenWalk) value(v Value, path string) {
	tok, line := w.token()
	if v.Line != line {
		w.t.Fatalf("%s: line %d, encoding/json's token is on line %d", path, v.Line, line)
	}
	var want any
	switch v.Kind {
	case Object:
		want = json.Delim('{')
	case Array:
		want = json.Delim('[')
	default:
		want = toAny(v)
	}
	if tok != want {
		w.t.Fatalf("%s: %#v, encoding/json reads %#v", path, want, tok)
	}
	for _, m := range v.Members {
		key, line := w.token()
		if key != m.Key || line != m.KeyLine {
			w.t.Fatalf("%s: key %q on line %d, encoding/json reads %q on line %d", path, m.Key, m.KeyLine, key, line)
		}
		w.value(m.Value, path+"."+m.Key)
	}
	for _, e := range v.Elems {
		w.value(e, path+"[]")
	}
	if v.Kind == Object || v.Kind == Array {
		w.token() // the closing delimiter
	}
}

func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		valid := json.Valid(data)
		if valid != (err == nil) {
			t.Fatalf("json.Valid says %v, Parse says %v", valid, err)
		}
		if !valid {
			checkSyntaxError(t, data, err)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if got := toAny(v); !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded\n%#v\nencoding/json decodes\n%#v", got, want)
		}
		dec = json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		w := tokenWalk{t: t, data: data, dec: dec}
		w.value(v, "$")
		if _, err := dec.Token(); err != io.EOF {
			t.Fatalf("encoding/json reads more tokens: %v", err)
		}
		// AppendValue writes the tree back: parsed again, the same tree.
		out := AppendValue(nil, v)
		v2, err := Parse(out)
		if err != nil {
			t.Fatalf("AppendValue wrote invalid JSON %q: %v", out, err)
		}
		if a, b := noLines(v), noLines(v2); !reflect.DeepEqual(a, b) {
			t.Fatalf("AppendValue round trip changed the tree:\n%#v\n%#v", a, b)
		}
	})
}

// noLines is v with every line number zeroed.
func noLines(v Value) Value {
	v.Line = 0
	if v.Elems != nil {
		el := make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			el[i] = noLines(e)
		}
		v.Elems = el
	}
	if v.Members != nil {
		ms := make([]Member, len(v.Members))
		for i, m := range v.Members {
			ms[i] = Member{Key: m.Key, Value: noLines(m.Value)}
		}
		v.Members = ms
	}
	return v
}

// checkSyntaxError compares err with encoding/json's error for data.
func checkSyntaxError(t *testing.T, data []byte, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *SyntaxError", err)
	}
	var std *json.SyntaxError
	var x any
	if !errors.As(json.Unmarshal(data, &x), &std) {
		t.Fatal("encoding/json reports no *json.SyntaxError")
	}
	if se.EOF {
		// encoding/json blames an imagined space when the input stops
		// inside a number, a literal or an escape.
		if std.Offset != int64(len(data)) || std.Error() != se.Msg && !strings.HasPrefix(std.Error(), "invalid character ' ' ") {
			t.Fatalf("got end of input, encoding/json says %q at %d", std.Error(), std.Offset)
		}
		if want := lineAt(data, len(data)); se.Line != want {
			t.Fatalf("end of input on line %d, want %d", se.Line, want)
		}
		return
	}
	if se.Msg != std.Error() || int64(se.Offset) != std.Offset {
		t.Fatalf("got %q at %d, encoding/json says %q at %d", se.Msg, se.Offset, std.Error(), std.Offset)
	}
	if want := lineAt(data, se.Offset-1); se.Line != want {
		t.Fatalf("%q on line %d, the byte is on line %d", se.Msg, se.Line, want)
	}
	if se.Trailing != strings.HasSuffix(se.Msg, "after top-level value") {
		t.Fatalf("%q: Trailing is %v", se.Msg, se.Trailing)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a&b>", "q\"\\", "\x00\x1f\x7f", "x\xffy", "\u2028\u2029", "hé €\U0001F600", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(AppendString([]byte("x"), s))
		if want := "x" + stdString(t, s, false); got != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
		if got, want := string(AppendStringHTML(nil, s)), stdString(t, s, true); got != want {
			t.Fatalf("AppendStringHTML(%q) = %s, encoding/json writes %s", s, got, want)
		}
		v, err := Parse([]byte(got[1:]))
		if err != nil || v.Kind != String || v.Text != string([]rune(s)) {
			t.Fatalf("AppendString(%q) reads back as %q, %v", s, v.Text, err)
		}
	})
}

func FuzzIndent(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":[],"c":{}}],"d":"x,:{[\"]}"}`), "", "    ")
	f.Add([]byte(" [ {} , [ ] , \"\\\\\" ] \n"), "", "  ")
	f.Add([]byte(`{"a":}`), ">", "\t")
	f.Fuzz(func(t *testing.T, src []byte, prefix, indent string) {
		got, err := Indent([]byte("dst"), src, prefix, indent)
		var want bytes.Buffer
		want.WriteString("dst")
		stdErr := json.Indent(&want, src, prefix, indent)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("Indent: %v, json.Indent: %v", err, stdErr)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("Indent:\n%q\njson.Indent:\n%q", got, want.Bytes())
		}
	})
}

// FuzzScannerSkip: skipping a document with a Scanner accepts exactly
// what Parse accepts, and stops at the same syntax error; a document
// read member by member through Scanner callbacks (what a streaming
// decoder does) gives Parse's tree.
func FuzzScannerSkip(f *testing.F) {
	for _, s := range []string{`{"a": [1, {"b": null}], "c": "x\u00e9"}`, `[true, false, -1.5e3]`, `{"a" 1}`, `[1,]`, `{"a": {"b": [}}`, `"\ud800"`, ` null x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := Parse(data)
		s := NewScanner(data)
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		if !reflect.DeepEqual(err, werr) {
			t.Fatalf("Skip: %v\nParse: %v", err, werr)
		}
		if werr != nil {
			return
		}
		s = NewScanner(data)
		got, err := scanTree(s)
		if err == nil {
			err = s.End()
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("scanned %#v, %v\nParse: %#v", got, err, want)
		}
	})
}

// scanTree builds the tree of the next value with Scanner's reading
// methods, as a caller outside the package does.
func scanTree(s *Scanner) (Value, error) {
	kind, line := s.Peek()
	v := Value{Kind: kind, Line: line}
	var err error
	switch kind {
	case Invalid:
		return v, s.Err()
	case Object:
		err = s.Object(func(key string, keyLine int) error {
			m, err := scanTree(s)
			v.Members = append(v.Members, Member{Key: key, KeyLine: keyLine, Value: m})
			return err
		})
	case Array:
		err = s.Array(func(int) error {
			e, err := scanTree(s)
			v.Elems = append(v.Elems, e)
			return err
		})
	case String:
		v.Text, err = s.String()
	case Number:
		v.Text, err = s.Number()
	case Bool:
		v.Bool, err = s.Bool()
	case Null:
		err = s.Null()
	}
	return v, err
}
