package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Routing table names, read as iproute2 6.1's rtnl_rttable_initialize()
// (lib/rt_names.c) reads them: the built-in local (255), main (254) and
// default (253), then /etc/iproute2/rt_tables, then every *.conf in
// /etc/iproute2/rt_tables.d in directory order. 6.1 reads nothing under
// /usr/share/iproute2 (later releases do). A later entry for a number
// wins when printing it.

// rtTablesDir is iproute2 6.1's CONFDIR.
const rtTablesDir = "/etc/iproute2"

type tableEntry struct {
	id   uint32
	name string
}

// tableNames is the table database, in the order entries were read.
type tableNames struct{ entries []tableEntry }

// readTableNames reads the database under dir (rtTablesDir outside tests).
// Files that are missing are skipped; a line that is neither a comment nor
// "ID NAME" ends the reading of its file, as iproute2's "Database ... is
// corrupted" does.
func readTableNames(dir string) *tableNames {
	t := &tableNames{entries: []tableEntry{{253, "default"}, {254, "main"}, {255, "local"}}}
	t.readFile(filepath.Join(dir, "rt_tables"))
	d, err := os.Open(filepath.Join(dir, "rt_tables.d"))
	if err != nil {
		return t
	}
	defer d.Close()
	ents, _ := d.ReadDir(-1) // directory order, as readdir(3)
	for _, de := range ents {
		n := de.Name()
		if strings.HasPrefix(n, ".") || len(n) <= 5 || !strings.HasSuffix(n, ".conf") {
			continue
		}
		t.readFile(filepath.Join(dir, "rt_tables.d", n))
	}
	return t
}

func (t *tableNames) readFile(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		e, ok, skip := parseTableLine(line)
		if skip {
			continue
		}
		if !ok {
			return
		}
		t.entries = append(t.entries, e)
	}
}

// parseTableLine reads one line as fread_id_name() does: blank lines and
// '#' comments are skipped; else "0xHEX NAME" or "DECIMAL NAME", and a
// negative number is read but skipped.
func parseTableLine(line string) (e tableEntry, ok, skip bool) {
	s := strings.TrimLeft(line, " \t")
	if s == "" || s[0] == '#' {
		return e, false, true
	}
	var num string
	i := 0
	if strings.HasPrefix(s, "0x") {
		i = 2
		for i < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[i]) >= 0 {
			i++
		}
		num = s[:i]
	} else {
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		num = s[:i]
	}
	rest := strings.TrimLeft(s[i:], " \t\r\v\f")
	name, _, _ := strings.Cut(strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\v' || r == '\f' {
			return ' '
		}
		return r
	}, rest), " ")
	id, err := strconv.ParseInt(num, 0, 64)
	if err != nil || name == "" {
		return e, false, false
	}
	if id < 0 || id > 1<<31-1 {
		return e, false, true
	}
	return tableEntry{uint32(id), name}, true, false
}

// name is rtnl_rttable_n2a(): the name of table id, or its number.
func (t *tableNames) name(id uint32) string {
	for i := len(t.entries) - 1; i >= 0; i-- {
		if t.entries[i].id == id {
			return t.entries[i].name
		}
	}
	return strconv.FormatUint(uint64(id), 10)
}

// id is rtnl_rttable_a2n(): a name of the database (searched as iproute2's
// hash is: by id&255, the latest entry first), else a number as strtoul
// with base 0 reads it.
func (t *tableNames) id(word string) (uint32, bool) {
	for bucket := uint32(0); bucket < 256; bucket++ {
		for i := len(t.entries) - 1; i >= 0; i-- {
			if e := t.entries[i]; e.id&255 == bucket && e.name == word {
				return e.id, true
			}
		}
	}
	n, ok := parseCUint(word)
	return uint32(n), ok && n <= 1<<32-1
}

// parseCUint reads s as strtoul(s, &end, 0) with *end == 0 does: 0x for
// hex, a leading 0 for octal, decimal otherwise; nothing else.
func parseCUint(s string) (uint64, bool) {
	base, digits := 10, s
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" || strings.ContainsAny(digits[:1], "+-_") || strings.Contains(digits, "_") {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, base, 64)
	return n, err == nil
}

// readDSField reads iproute2 6.1's TOS names (rtnl_rtdsfield_tab:
// CONFDIR/rt_dsfield, "0" for 0 when the file does not name it).
func readDSField(dir string) *tableNames {
	t := &tableNames{entries: []tableEntry{{0, "0"}}}
	t.readFile(filepath.Join(dir, "rt_dsfield"))
	return t
}

// dsfield is rtnl_dsfield_a2n(): a name of the file, else a hex number
// (strtoul base 16) up to 255.
func (t *tableNames) dsfield(word string) (uint8, bool) {
	for i := len(t.entries) - 1; i >= 0; i-- {
		if e := t.entries[i]; e.name == word && e.id <= 255 {
			return uint8(e.id), true
		}
	}
	s := strings.TrimPrefix(strings.TrimPrefix(word, "0x"), "0X")
	if s == "" || strings.ContainsAny(s, "+-_") {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 8)
	return uint8(n), err == nil
}

// dsfieldName is rtnl_dsfield_n2a(): the file's name, or 0x%02x.
func (t *tableNames) dsfieldName(tos uint8) string {
	for i := len(t.entries) - 1; i >= 0; i-- {
		if t.entries[i].id == uint32(tos) {
			return t.entries[i].name
		}
	}
	return fmt.Sprintf("0x%02x", tos)
}

// tableRef is a `table N|NAME` word as typed; run resolves it (the
// database is a file, and parse reads none) before anything changes.
type tableRef string

// resolve returns the table's number. A word that is neither a name nor
// a number is bad input (exit 2 as nsnet); as ip, it is the invarg() of
// the command, whose reason ipWhat is (`"table" value is invalid` for
// route, `invalid table ID` for rule).
func (r tableRef) resolve(names *tableNames, ctx, ipWhat string) (uint32, error) {
	id, ok := names.id(string(r))
	if !ok {
		return 0, &inputError{withIP(fmt.Errorf("%s: table %q is neither a number nor a name in %s/rt_tables", ctx, string(r), rtTablesDir),
			ipUsageStatus, "Error: argument %q is wrong: %s", string(r), ipWhat)}
	}
	return id, nil
}
