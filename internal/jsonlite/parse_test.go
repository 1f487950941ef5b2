package jsonlite

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTree(t *testing.T) {
	doc := "{\n  \"a\": [1, -2.5e3, true, false, null],\n  \"b\": {\"c\": \"x\\ty\"},\n  \"a\": \"dup\"\n}"
	got, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := Value{Kind: Object, Line: 1, Members: []Member{
		{Key: "a", KeyLine: 2, Value: Value{Kind: Array, Line: 2, Elems: []Value{
			{Kind: Number, Line: 2, Text: "1"},
			{Kind: Number, Line: 2, Text: "-2.5e3"},
			{Kind: Bool, Line: 2, Bool: true},
			{Kind: Bool, Line: 2},
			{Kind: Null, Line: 2},
		}}},
		{Key: "b", KeyLine: 3, Value: Value{Kind: Object, Line: 3, Members: []Member{
			{Key: "c", KeyLine: 3, Value: Value{Kind: String, Line: 3, Text: "x\ty"}},
		}}},
		{Key: "a", KeyLine: 4, Value: Value{Kind: String, Line: 4, Text: "dup"}},
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("tree (-want +got):\n%s", d)
	}
}

func TestParseLines(t *testing.T) {
	got, err := Parse([]byte("\r\n\n [\n\t{},\r\n\n\"k\"\n]\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Line != 3 || got.Elems[0].Line != 4 || got.Elems[1].Line != 6 {
		t.Fatalf("lines %d %d %d, want 3 4 6", got.Line, got.Elems[0].Line, got.Elems[1].Line)
	}
}

func TestParseStrings(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`"h\u00e9 \u20AC"`, "hé €"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\ud83d\ude00"`, "\U0001F600"},           // a surrogate pair
		{`"\ud83d"`, "\uFFFD"},                     // a lone high surrogate
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},         // two halves, wrong order
		{`"\ud83dx"`, "\uFFFDx"},                   // half a pair, then text
		{`"\ud83d\u0041"`, "\uFFFDA"},              // half a pair, then an escape that is kept
		{"\"a\xffb\xc3\"", "a\uFFFDb\uFFFD"},       // invalid UTF-8, byte by byte
		{"\"\xed\xa0\x80\"", "\uFFFD\uFFFD\uFFFD"}, // an encoded surrogate is invalid UTF-8
		{"\"\u2028\xef\xbf\xbd\"", "\u2028\uFFFD"}, // valid UTF-8 is kept
		{"\"\\n\xff\"", "\n\uFFFD"},                // escapes and invalid UTF-8 together
		{`"\u0000"`, "\x00"},
	} {
		v, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if v.Kind != String || v.Text != tt.want {
			t.Errorf("%q: got %q (kind %d), want %q", tt.in, v.Text, v.Kind, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		in       string
		msg      string
		line     int
		eof      bool
		trailing bool
	}{
		{"", "unexpected end of JSON input", 1, true, false},
		{" \n ", "unexpected end of JSON input", 2, true, false},
		{"{\n\"a\": -", "unexpected end of JSON input", 2, true, false},
		{"[1,\n2,]", "invalid character ']' looking for beginning of value", 2, false, false},
		{"[1 2]", "invalid character '2' after array element", 1, false, false},
		{"{1}", "invalid character '1' looking for beginning of object key string", 1, false, false},
		{`{"a" 1}`, "invalid character '1' after object key", 1, false, false},
		{`{"a": 1 "b"}`, `invalid character '"' after object key:value pair`, 1, false, false},
		{"\"a\nb\"", `invalid character '\n' in string literal`, 1, false, false},
		{`"\x"`, `invalid character 'x' in string escape code`, 1, false, false},
		{`"\u12g4"`, `invalid character 'g' in \u hexadecimal character escape`, 1, false, false},
		{`-a`, `invalid character 'a' in numeric literal`, 1, false, false},
		{`1.e5`, `invalid character 'e' after decimal point in numeric literal`, 1, false, false},
		{`1e+`, "unexpected end of JSON input", 1, true, false},
		{`1e+x`, `invalid character 'x' in exponent of numeric literal`, 1, false, false},
		{`nul`, "unexpected end of JSON input", 1, true, false},
		{`nulL`, `invalid character 'L' in literal null (expecting 'l')`, 1, false, false},
		{`[tRue]`, `invalid character 'R' in literal true (expecting 'r')`, 1, false, false},
		{"'x'", `invalid character '\'' looking for beginning of value`, 1, false, false},
		{"\xc3\xa9", `invalid character 'Ã' looking for beginning of value`, 1, false, false},
		{"\x80", `invalid character '\u0080' looking for beginning of value`, 1, false, false},
		{"{}\n\n x", "invalid character 'x' after top-level value", 3, false, true},
		{"01", "invalid character '1' after top-level value", 1, false, true},
		{strings.Repeat("[", 10001), "invalid character '[' exceeded max depth", 1, false, false},
		{strings.Repeat(`[{"a":`, 5000) + "{", "invalid character '{' exceeded max depth", 1, false, false},
	} {
		_, err := Parse([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Msg != tt.msg || se.Line != tt.line || se.EOF != tt.eof || se.Trailing != tt.trailing {
			t.Errorf("%q: got %q line %d eof %v trailing %v, want %q line %d eof %v trailing %v",
				tt.in, se.Msg, se.Line, se.EOF, se.Trailing, tt.msg, tt.line, tt.eof, tt.trailing)
		}
	}
}

func TestParseDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	if _, err := Parse([]byte(deep)); err != nil {
		t.Fatalf("10000 levels: %v", err)
	}
}

// TestParsePartial: on a syntax error the tree holds what came before it,
// and the value where reading stopped is Invalid.
func TestParsePartial(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Value
	}{
		{`{"a": [1, {"b": tru`, Value{Kind: Object, Line: 1, Members: []Member{
			{Key: "a", KeyLine: 1, Value: Value{Kind: Array, Line: 1, Elems: []Value{
				{Kind: Number, Line: 1, Text: "1"},
				{Kind: Object, Line: 1, Members: []Member{{Key: "b", KeyLine: 1}}},
			}}},
		}}},
		{`{"a" 1}`, Value{Kind: Object, Line: 1, Members: []Member{{Key: "a", KeyLine: 1}}}},
		{`[1x`, Value{Kind: Array, Line: 1, Elems: []Value{{Kind: Number, Line: 1, Text: "1"}}}},
		{`["x`, Value{Kind: Array, Line: 1, Elems: []Value{{}}}},
		{`{"a`, Value{Kind: Object, Line: 1}},
		{`truex`, Value{Kind: Bool, Line: 1, Bool: true}},
	} {
		got, err := Parse([]byte(tt.in))
		if err == nil {
			t.Errorf("%q: no error", tt.in)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%q: partial tree (-want +got):\n%s", tt.in, d)
		}
	}
}
