package jsonlite

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A Kind is the JSON type of a Value.
type Kind uint8

// The kinds of values. Invalid is the zero Kind: a value Parse did not
// read because the document had a syntax error first.
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Array
	Object
)

// A Value is one JSON value and the line it starts on.
type Value struct {
	Kind    Kind
	Line    int      // 1-based line of the value's first byte
	Bool    bool     // Kind Bool
	Text    string   // String: the decoded string; Number: the literal as written ("-1.5e3")
	Elems   []Value  // Array: the elements
	Members []Member // Object: the members in file order, repeated keys included
}

// A Member is one "key": value pair of an object.
type Member struct {
	Key     string
	KeyLine int // 1-based line of the key
	Value   Value
}

// A SyntaxError is a document that is not JSON. Msg and Offset are
// encoding/json's, except that an input that ends too early is always
// "unexpected end of JSON input" (encoding/json says "invalid character
// ' ' ..." when it ends in a number, a literal or an escape).
type SyntaxError struct {
	Msg    string // "invalid character '}' after array element"
	Offset int    // the bytes read, the offending one included
	Line   int    // 1-based line of the offending byte; the last line if the input ended
	EOF    bool   // the input ended inside the value
	// Trailing is set when a whole value was read and more than white
	// space follows it; the tree Parse returns is then complete.
	Trailing bool
}

func (e *SyntaxError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Msg }

// maxDepth is encoding/json's limit on nested objects and arrays.
const maxDepth = 10000

// Parse reads data, which must hold one JSON value and white space only.
//
// On a syntax error Parse returns, with the *SyntaxError, the part of the
// tree it read before the error: objects and arrays hold the members and
// elements read so far, and the value where reading stopped has Kind
// Invalid. A caller that checks the document in file order can so report
// a problem that comes before the syntax error first, as a streaming
// decoder would.
//
// Parse builds the whole tree, about ten times the size of the text. A
// caller that keeps only part of a document reads it with a [Scanner].
func Parse(data []byte) (Value, error) {
	s := NewScanner(data)
	var v Value
	if err := s.tree(&v); err != nil {
		return v, err
	}
	return v, s.End()
}

// tree reads the next value into v.
func (s *Scanner) tree(v *Value) error {
	kind, line := s.Peek()
	var err error
	switch kind {
	case Invalid:
		return s.err
	case Object:
		v.Kind, v.Line = Object, line
		return s.Object(func(key string, keyLine int) error {
			v.Members = append(v.Members, Member{Key: key, KeyLine: keyLine})
			return s.tree(&v.Members[len(v.Members)-1].Value)
		})
	case Array:
		v.Kind, v.Line = Array, line
		return s.Array(func(int) error {
			v.Elems = append(v.Elems, Value{})
			return s.tree(&v.Elems[len(v.Elems)-1])
		})
	case String:
		var t string
		if t, err = s.String(); err == nil {
			*v = Value{Kind: String, Line: line, Text: t}
		}
	case Number:
		var t string
		if t, err = s.Number(); err == nil {
			*v = Value{Kind: Number, Line: line, Text: t}
		}
	case Bool:
		var b bool
		if b, err = s.Bool(); err == nil {
			*v = Value{Kind: Bool, Line: line, Bool: b}
		}
	case Null:
		if err = s.Null(); err == nil {
			*v = Value{Kind: Null, Line: line}
		}
	}
	return err
}

// parser reads one document. Lines change only in white space: a string
// cannot hold a raw newline.
type parser struct {
	data []byte
	off  int // next byte to read
	line int // line of data[off]
}

func (p *parser) space() {
	for ; p.off < len(p.data); p.off++ {
		switch p.data[p.off] {
		case '\n':
			p.line++
		case ' ', '\t', '\r':
		default:
			return
		}
	}
}

// at reports whether the next byte is c.
func (p *parser) at(c byte) bool { return p.off < len(p.data) && p.data[p.off] == c }

func (p *parser) digit() bool {
	return p.off < len(p.data) && '0' <= p.data[p.off] && p.data[p.off] <= '9'
}

// fail returns the error for the byte at p.off, which context describes
// as encoding/json does ("after array element"), or for the end of input.
func (p *parser) fail(context string) *SyntaxError {
	if p.off >= len(p.data) {
		return &SyntaxError{Msg: "unexpected end of JSON input", Offset: len(p.data), Line: p.line, EOF: true}
	}
	return &SyntaxError{Msg: "invalid character " + quoteChar(p.data[p.off]) + " " + context, Offset: p.off + 1, Line: p.line}
}

// string reads the string literal at p.off (its '"') and decodes it.
func (p *parser) string() (string, *SyntaxError) {
	start, escaped, err := p.scanString()
	if err != nil {
		return "", err
	}
	if s := p.data[start : p.off-1]; !escaped && utf8.Valid(s) {
		return string(s), nil
	}
	return unquote(p.data[start : p.off-1]), nil
}

// scanString reads the string literal at p.off (its '"') without
// decoding it: the text between the quotes is data[start:p.off-1], and
// escaped says whether it holds a backslash.
func (p *parser) scanString() (start int, escaped bool, err *SyntaxError) {
	p.off++
	start = p.off
	for ; p.off < len(p.data); p.off++ {
		switch c := p.data[p.off]; {
		case c == '"':
			p.off++
			return start, escaped, nil
		case c == '\\':
			escaped = true
			p.off++
			switch {
			case p.off >= len(p.data):
				return start, escaped, p.fail("")
			case p.data[p.off] == 'u':
				for range 4 {
					p.off++
					if p.off >= len(p.data) || !isHex(p.data[p.off]) {
						return start, escaped, p.fail("in \\u hexadecimal character escape")
					}
				}
			case !isEscape(p.data[p.off]):
				return start, escaped, p.fail("in string escape code")
			}
		case c < 0x20:
			return start, escaped, p.fail("in string literal")
		}
	}
	return start, escaped, p.fail("")
}

// number reads the number at p.off and returns its text.
func (p *parser) number() (string, *SyntaxError) {
	start := p.off
	if err := p.scanNumber(); err != nil {
		return "", err
	}
	return string(p.data[start:p.off]), nil
}

// scanNumber reads the number at p.off.
func (p *parser) scanNumber() *SyntaxError {
	if p.at('-') {
		p.off++
	}
	switch {
	case p.at('0'):
		p.off++
	case p.digit():
		for p.digit() {
			p.off++
		}
	default:
		return p.fail("in numeric literal")
	}
	if p.at('.') {
		p.off++
		if !p.digit() {
			return p.fail("after decimal point in numeric literal")
		}
		for p.digit() {
			p.off++
		}
	}
	if p.at('e') || p.at('E') {
		p.off++
		if p.at('+') || p.at('-') {
			p.off++
		}
		if !p.digit() {
			return p.fail("in exponent of numeric literal")
		}
		for p.digit() {
			p.off++
		}
	}
	return nil
}

// literal reads word (true, false or null), whose first byte is at p.off.
func (p *parser) literal(word string) *SyntaxError {
	for i := 1; i < len(word); i++ {
		p.off++
		if !p.at(word[i]) {
			return p.fail("in literal " + word + " (expecting " + quoteChar(word[i]) + ")")
		}
	}
	p.off++
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isEscape reports whether `\c` is a one-letter escape.
func isEscape(c byte) bool {
	switch c {
	case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
		return true
	}
	return false
}

// unquote decodes the inside of a string literal that string has checked,
// as encoding/json does: escapes are replaced, a \u surrogate that is not
// half of a pair and each byte of invalid UTF-8 become U+FFFD.
func unquote(s []byte) string {
	b := make([]byte, 0, len(s))
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\' && s[r+1] == 'u':
			rr := hex4(s[r+2 : r+6])
			r += 6
			if utf16.IsSurrogate(rr) {
				if r+1 < len(s) && s[r] == '\\' && s[r+1] == 'u' {
					if dec := utf16.DecodeRune(rr, hex4(s[r+2:r+6])); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						r += 6
						continue
					}
				}
				rr = utf8.RuneError
			}
			b = utf8.AppendRune(b, rr)
		case c == '\\':
			b = append(b, unescape(s[r+1]))
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return string(b)
}

// unescape returns the byte `\c` stands for (c is not 'u').
func unescape(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\', '/'
}

// hex4 returns the value of four hex digits.
func hex4(s []byte) rune {
	var r rune
	for _, c := range s {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// quoteChar formats c as encoding/json's messages do: 'x', '"', '\x01',
// '\u0080', and a single quote escaped with a backslash.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}
