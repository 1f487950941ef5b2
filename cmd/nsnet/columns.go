package main

import (
	"io"
	"unicode/utf8"
)

// columns aligns tab-separated cells as text/tabwriter.NewWriter(w, 0, 8,
// 2, ' ', 0) does, byte for byte (columns_test.go compares the two on
// random text): '\t' and '\v' end a cell, '\n' and '\f' a line, a column
// is as wide as its widest cell plus two spaces within each block of
// consecutive lines that have it, a line's last cell is not padded, a
// line of one cell and '\f' end every block, text between two 0xff bytes
// is one piece of a cell (its tabs are text) and the 0xff bytes are
// written but not counted. It is the port of tabwriter's algorithm for
// those settings, which is all ps and cni list use: the package's general
// settings cost the binary 16 KB.
type columns struct {
	out    io.Writer
	buf    []byte   // the text of the cells not yet written
	pos    int      // the end of the part of buf whose width is counted
	cell   cell     // the cell being written
	esc    bool     // inside 0xff ... 0xff
	lines  [][]cell // the lines not yet written; the last one is open
	widths []int    // the width of each column of the block being written
	text   []byte   // aligned text, written at the end of a flush
	err    error
}

type cell struct {
	size  int // bytes in buf
	width int // runes, escapes aside
}

const colPadding = 2

func newColumns(w io.Writer) *columns {
	c := &columns{out: w}
	c.lines = [][]cell{nil}
	return c
}

func (c *columns) Write(p []byte) (int, error) {
	n := 0
	for i, ch := range p {
		if c.esc {
			if ch == 0xff {
				c.add(p[n : i+1])
				n = i + 1
				c.endEscape()
			}
			continue
		}
		switch ch {
		case '\t', '\v', '\n', '\f':
			c.add(p[n:i])
			c.updateWidth()
			n = i + 1
			ncells := c.terminateCell()
			if ch == '\n' || ch == '\f' {
				c.lines = append(c.lines, nil)
				if ch == '\f' || ncells == 1 {
					c.flush()
				}
			}
		case 0xff:
			c.add(p[n:i])
			c.updateWidth()
			n = i
			c.esc = true
		}
	}
	c.add(p[n:])
	if c.err != nil {
		return 0, c.err
	}
	return len(p), nil
}

// Flush writes what is buffered, aligned; a last line without a newline
// is written as it is.
func (c *columns) Flush() error {
	c.flush()
	return c.err
}

func (c *columns) add(b []byte) {
	c.buf = append(c.buf, b...)
	c.cell.size += len(b)
}

func (c *columns) updateWidth() {
	c.cell.width += utf8.RuneCount(c.buf[c.pos:])
	c.pos = len(c.buf)
}

func (c *columns) endEscape() {
	c.updateWidth()
	c.cell.width -= 2 // the two 0xff are written, not counted
	c.esc = false
}

func (c *columns) terminateCell() int {
	l := &c.lines[len(c.lines)-1]
	*l = append(*l, c.cell)
	c.cell = cell{}
	return len(*l)
}

func (c *columns) flush() {
	if c.cell.size > 0 {
		if c.esc {
			c.endEscape()
		}
		c.terminateCell()
	}
	c.format(0, 0, len(c.lines))
	if c.err == nil && len(c.text) > 0 {
		_, c.err = c.out.Write(c.text)
	}
	c.text = c.text[:0]
	c.buf, c.pos, c.cell, c.esc = c.buf[:0], 0, cell{}, false
	c.lines, c.widths = [][]cell{nil}, c.widths[:0]
}

// format writes lines line0 to line1 from buf at pos, the columns from
// len(c.widths) on found block by block, and returns the new pos.
func (c *columns) format(pos, line0, line1 int) int {
	column := len(c.widths)
	for this := line0; this < line1; this++ {
		if column >= len(c.lines[this])-1 {
			continue
		}
		pos = c.writeLines(pos, line0, this)
		line0 = this
		width := 0
		for ; this < line1; this++ {
			l := c.lines[this]
			if column >= len(l)-1 {
				break
			}
			width = max(width, l[column].width+colPadding)
		}
		c.widths = append(c.widths, width)
		pos = c.format(pos, line0, this)
		c.widths = c.widths[:len(c.widths)-1]
		line0 = this
	}
	return c.writeLines(pos, line0, line1)
}

func (c *columns) writeLines(pos, line0, line1 int) int {
	for i := line0; i < line1; i++ {
		for j, cl := range c.lines[i] {
			c.text = append(c.text, c.buf[pos:pos+cl.size]...)
			pos += cl.size
			if j < len(c.widths) {
				for range c.widths[j] - cl.width {
					c.text = append(c.text, ' ')
				}
			}
		}
		if i+1 == len(c.lines) {
			c.text = append(c.text, c.buf[pos:pos+c.cell.size]...)
			pos += c.cell.size
		} else {
			c.text = append(c.text, '\n')
		}
	}
	return pos
}
