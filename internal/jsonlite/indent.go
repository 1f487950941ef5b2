package jsonlite

// Indent appends src, a JSON document, to dst indented as json.Indent
// does: each element and member on a line of its own that starts with
// prefix and one indent per level, ": " after keys, empty objects and
// arrays as {} and [], white space before the value dropped and after it
// kept. Strings are copied as they are. If src is not JSON, Indent
// returns dst unchanged and the *SyntaxError.
func Indent(dst, src []byte, prefix, indent string) ([]byte, error) {
	if _, err := Parse(src); err != nil {
		return dst, err
	}
	end := len(src) // src[end:] is the white space after the value
	for end > 0 && isSpace(src[end-1]) {
		end--
	}
	depth := 0
	open := false // the last byte was '{' or '[': the next line is one level deeper, unless it closes
	inString, escaped := false, false
	for _, c := range src[:end] {
		if inString {
			dst = append(dst, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if isSpace(c) {
			continue
		}
		if open && c != '}' && c != ']' {
			depth++
			dst = newline(dst, prefix, indent, depth)
		}
		wasOpen := open
		open = false
		switch c {
		case '"':
			inString = true
			dst = append(dst, c)
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = newline(dst, prefix, indent, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if !wasOpen {
				depth--
				dst = newline(dst, prefix, indent, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, src[end:]...), nil
}

func newline(dst []byte, prefix, indent string, depth int) []byte {
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	for range depth {
		dst = append(dst, indent...)
	}
	return dst
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
