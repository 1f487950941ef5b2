package jsonlite

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// stdString is s as encoding/json's Encoder writes it (html: as
// json.Marshal does).
func stdString(t *testing.T, s string, html bool) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func TestAppendString(t *testing.T) {
	for _, tt := range []struct{ in, want, html string }{
		{"plain", `"plain"`, `"plain"`},
		{"q\"b\\s/", `"q\"b\\s/"`, `"q\"b\\s/"`},
		{"\b\f\n\r\t\x00\x1f\x7f", `"\b\f\n\r\t\u0000\u001f` + "\x7f" + `"`, `"\b\f\n\r\t\u0000\u001f` + "\x7f" + `"`},
		{"<a&b>", `"<a&b>"`, `"\u003ca\u0026b\u003e"`},
		{"x\xffy\xc3", `"x\ufffdy\ufffd"`, `"x\ufffdy\ufffd"`},
		{"l\u2028p\u2029", `"l\u2028p\u2029"`, `"l\u2028p\u2029"`},
		{"hé €\U0001F600", "\"hé €\U0001F600\"", "\"hé €\U0001F600\""},
	} {
		if got := string(AppendString(nil, tt.in)); got != tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := string(AppendStringHTML(nil, tt.in)); got != tt.html {
			t.Errorf("AppendStringHTML(%q) = %s, want %s", tt.in, got, tt.html)
		}
		if std := stdString(t, tt.in, false); std != tt.want {
			t.Errorf("the table disagrees with encoding/json for %q: %s", tt.in, std)
		}
		if std := stdString(t, tt.in, true); std != tt.html {
			t.Errorf("the table disagrees with encoding/json (HTML) for %q: %s", tt.in, std)
		}
	}
}

func TestAppendObjectAndArray(t *testing.T) {
	b := []byte{'{'}
	b = AppendKey(b, "n")
	b = strconv.AppendInt(b, -3, 10)
	b = AppendKey(b, "list")
	b = AppendArray(b, []string{"a", "b"}, AppendString)
	b = AppendKey(b, "none")
	b = AppendArray(b, []string(nil), AppendString)
	b = AppendKey(b, "empty")
	b = AppendArray(b, []int{}, func(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) })
	b = AppendKey(b, "inner")
	b = append(b, '{')
	b = AppendKey(b, "k\"")
	b = strconv.AppendBool(b, true)
	b = append(b, "}}"...)
	want := `{"n":-3,"list":["a","b"],"none":null,"empty":[],"inner":{"k\"":true}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
}

func TestIndent(t *testing.T) {
	for _, tt := range []struct{ in, prefix, indent string }{
		{`{"a":[1,{"b":[],"c":{}}],"d":"x,:{[\"]}"}`, "", "    "},
		{` { "a" : [ 1 , 2 ] , "b" : { } } ` + "\n", "", "  "},
		{`[[],[[]],{"x":null}]`, ">", "\t"},
		{`"just a string"`, "", "  "},
		{"\n\n 12 \t\n", "", "  "},
	} {
		got, err := Indent([]byte("pre:"), []byte(tt.in), tt.prefix, tt.indent)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		var want bytes.Buffer
		want.WriteString("pre:")
		if err := json.Indent(&want, []byte(tt.in), tt.prefix, tt.indent); err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("%q:\ngot  %q\nwant %q", tt.in, got, want.String())
		}
	}
	got, err := Indent([]byte("pre:"), []byte(`{"a":}`), "", " ")
	if err == nil || string(got) != "pre:" {
		t.Errorf("invalid input: got %q, %v; want dst unchanged and an error", got, err)
	}
}

func TestAppendValue(t *testing.T) {
	for _, in := range []string{
		`null`, `true`, `-1.5e3`, `"a\u00e9\n"`, `[]`, `{}`,
		`{"b":1,"a":[true,null,{"x":"y"}],"b":2}`,
	} {
		v, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		got := string(AppendValue(nil, v))
		want := in
		if in == `"a\u00e9\n"` {
			want = "\"a\u00e9\\n\""
		}
		if got != want {
			t.Errorf("AppendValue(%s) = %s, want %s", in, got, want)
		}
	}
}
