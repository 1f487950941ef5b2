package jsonlite

// A Scanner reads one JSON document a value at a time, in file order,
// without building a tree: the caller reads the values it keeps, and
// whatever it does not read is skipped (its syntax checked, nothing
// kept). Memory so follows what the caller keeps, and a caller that
// refuses a member (an unknown field) stops before reading its value.
//
// The methods that read a value (String, Number, Bool, Null, Object,
// Array, Skip) read the next one; [Scanner.Peek] says which kind it is.
// Their errors are *SyntaxError, as [Parse]'s, except the errors that
// Object's and Array's callbacks return, which are returned unchanged.
// After a syntax error every method returns it again.
type Scanner struct {
	p       parser
	depth   int          // objects and arrays open around the next value
	colon   bool         // a key was read, its ':' was not
	pending bool         // the value a callback is to read was not started
	err     *SyntaxError // sticky
}

// NewScanner returns a Scanner reading data.
func NewScanner(data []byte) *Scanner {
	return &Scanner{p: parser{data: data, line: 1}}
}

// Err returns the syntax error the Scanner stopped at, or nil.
func (s *Scanner) Err() error {
	if s.err == nil {
		return nil
	}
	return s.err
}

func (s *Scanner) fail(err *SyntaxError) *SyntaxError {
	if s.err == nil {
		s.err = err
	}
	return s.err
}

// begin moves to the first byte of the next value: past white space and,
// in an object, the ':' after the key.
func (s *Scanner) begin() *SyntaxError {
	if s.err != nil {
		return s.err
	}
	p := &s.p
	if s.colon {
		p.space()
		if !p.at(':') {
			return s.fail(p.fail("after object key"))
		}
		p.off++
		s.colon = false
	}
	p.space()
	if p.off >= len(p.data) {
		return s.fail(p.fail(""))
	}
	return nil
}

// Peek returns the kind of the next value and the line it starts on,
// reading nothing of it. It returns Invalid at a syntax error (the end of
// the input, a byte that starts no value, an object or array nested more
// than 10000 deep, as encoding/json limits); Err says which.
func (s *Scanner) Peek() (Kind, int) {
	if s.begin() != nil {
		return Invalid, s.p.line
	}
	p := &s.p
	switch c := p.data[p.off]; {
	case c == '{' || c == '[':
		if s.depth+1 > maxDepth {
			s.fail(p.fail("exceeded max depth"))
			return Invalid, p.line
		}
		if c == '{' {
			return Object, p.line
		}
		return Array, p.line
	case c == '"':
		return String, p.line
	case c == '-' || '0' <= c && c <= '9':
		return Number, p.line
	case c == 't' || c == 'f':
		return Bool, p.line
	case c == 'n':
		return Null, p.line
	}
	s.fail(p.fail("looking for beginning of value"))
	return Invalid, p.line
}

// expect starts reading a value of kind k; a value of another kind is a
// syntax error as encoding/json words one at that byte.
func (s *Scanner) expect(k Kind) *SyntaxError {
	got, _ := s.Peek()
	switch {
	case got == Invalid:
		return s.err
	case got != k:
		return s.fail(s.p.fail("looking for beginning of value"))
	}
	s.pending = false
	return nil
}

// String reads a string and returns it decoded.
func (s *Scanner) String() (string, error) {
	if err := s.expect(String); err != nil {
		return "", err
	}
	t, err := s.p.string()
	if err != nil {
		return "", s.fail(err)
	}
	return t, nil
}

// Number reads a number and returns its literal text.
func (s *Scanner) Number() (string, error) {
	if err := s.expect(Number); err != nil {
		return "", err
	}
	t, err := s.p.number()
	if err != nil {
		return "", s.fail(err)
	}
	return t, nil
}

// Bool reads true or false.
func (s *Scanner) Bool() (bool, error) {
	if err := s.expect(Bool); err != nil {
		return false, err
	}
	word := "false"
	if s.p.at('t') {
		word = "true"
	}
	if err := s.p.literal(word); err != nil {
		return false, s.fail(err)
	}
	return word == "true", nil
}

// Null reads null.
func (s *Scanner) Null() error {
	if err := s.expect(Null); err != nil {
		return err
	}
	if err := s.p.literal("null"); err != nil {
		return s.fail(err)
	}
	return nil
}

// Object reads an object. For each member it reads the key and calls
// member with the key and its line; member reads the value (one value,
// through s), or reads nothing and the value is skipped, or returns an
// error, which Object returns at once without reading further.
func (s *Scanner) Object(member func(key string, line int) error) error {
	if err := s.expect(Object); err != nil {
		return err
	}
	p := &s.p
	p.off++ // '{'
	s.depth++
	defer func() { s.depth-- }()
	p.space()
	if p.at('}') {
		p.off++
		return nil
	}
	for {
		p.space()
		if !p.at('"') {
			return s.fail(p.fail("looking for beginning of object key string"))
		}
		line := p.line
		if member == nil { // Skip: the key is checked, not decoded
			if _, _, err := p.scanString(); err != nil {
				return s.fail(err)
			}
			s.colon, s.pending = true, true
		} else {
			key, err := p.string()
			if err != nil {
				return s.fail(err)
			}
			s.colon, s.pending = true, true
			if err := member(key, line); err != nil {
				return err
			}
		}
		if done, err := s.after('}', "after object key:value pair"); done || err != nil {
			return err
		}
	}
}

// Array reads an array, calling elem for each element with its index;
// elem reads the element as Object's member reads a value.
func (s *Scanner) Array(elem func(i int) error) error {
	if err := s.expect(Array); err != nil {
		return err
	}
	p := &s.p
	p.off++ // '['
	s.depth++
	defer func() { s.depth-- }()
	p.space()
	if p.at(']') {
		p.off++
		return nil
	}
	for i := 0; ; i++ {
		s.pending = true
		if elem != nil {
			if err := elem(i); err != nil {
				return err
			}
		}
		if done, err := s.after(']', "after array element"); done || err != nil {
			return err
		}
	}
}

// after finishes a member or an element: it skips the value if the
// callback read none, then reads the ',' before the next one or the
// closing byte, which ends the object or array (done).
func (s *Scanner) after(closing byte, context string) (done bool, err error) {
	if s.pending {
		if err := s.Skip(); err != nil {
			return false, err
		}
	}
	if s.err != nil {
		return false, s.err
	}
	p := &s.p
	p.space()
	switch {
	case p.at(','):
		p.off++
		return false, nil
	case p.at(closing):
		p.off++
		return true, nil
	}
	return false, s.fail(p.fail(context))
}

// Skip reads the next value, whatever it is, and keeps nothing of it:
// no string is decoded (keys included), no number copied. Object and
// Array treat a nil callback as one that reads nothing.
func (s *Scanner) Skip() error {
	kind, _ := s.Peek()
	switch kind {
	case Invalid:
		return s.err
	case Object:
		return s.Object(nil)
	case Array:
		return s.Array(nil)
	case String:
		s.pending = false
		if _, _, err := s.p.scanString(); err != nil {
			return s.fail(err)
		}
		return nil
	case Number:
		s.pending = false
		if err := s.p.scanNumber(); err != nil {
			return s.fail(err)
		}
		return nil
	case Bool:
		_, err := s.Bool()
		return err
	}
	return s.Null()
}

// End reads what follows the document's one value, which must be white
// space only; anything else is a *SyntaxError with Trailing set.
func (s *Scanner) End() error {
	if s.err != nil {
		return s.err
	}
	p := &s.p
	p.space()
	if p.off < len(p.data) {
		err := p.fail("after top-level value")
		err.Trailing = true
		return s.fail(err)
	}
	return nil
}
