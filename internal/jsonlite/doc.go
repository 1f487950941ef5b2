// Package jsonlite reads and writes JSON without reflection, for the nsnet
// binary's size: encoding/json and the reflection it drives cost about
// 400 KB of a binary that should stay under 3 MB, and nsnet needs only a
// little of it.
//
// The reader, [Scanner], reads a document one value at a time in file
// order, with the line of every value and key: callers decode values into
// their types by hand as they come, and whatever they do not read (an
// unknown field they refuse, a value they skip) is checked and dropped,
// so memory follows what they keep. [Parse] uses it to turn a whole
// document into a tree of [Value]s that keeps object members in file
// order (duplicates included).
// It accepts exactly what encoding/json accepts ([encoding/json.Valid]),
// decodes strings as encoding/json does (invalid UTF-8 becomes U+FFFD) and
// keeps numbers as their literal text.
//
// The writer is a few Append functions: [AppendString] escapes as
// encoding/json's Encoder does with SetEscapeHTML(false) (and
// [AppendStringHTML] as json.Marshal does), [AppendKey] and [AppendArray]
// lay out objects and arrays, and [Indent] indents as json.Indent does.
// Integers and booleans are written with strconv.AppendInt, AppendUint and
// AppendBool, which already print JSON.
//
// The tests hold the package to encoding/json: same acceptance, same trees
// (as json.Unmarshal into any with UseNumber), same syntax error messages,
// same string escapes, same indentation.
package jsonlite
