// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// The tests' oracle for Go binaries: Go's own reader of .gopclntab (debug/gosym).
//
//	funcs_oracle funcs BINARY   every function: "ENTRY END NAME", hex
//	funcs_oracle names BINARY   for each hex address on stdin, "ADDRESS NAME" ("?" for none)
//
// Built by Debian's Go 1.19, whose debug/gosym reads the 1.18 layout; later tables differ from it
// only in the magic (and in fields this does not read), so theirs is read as 1.18's. The text
// start is the table's own (the linker's runtime.text), as the runtime reads it.
package main

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func table(path string) *gosym.Table {
	f, err := elf.Open(path)
	if err != nil {
		fail(err)
	}
	sec := f.Section(".gopclntab")
	if sec == nil {
		sec = f.Section(".data.rel.ro.gopclntab")
	}
	if sec == nil {
		fail(fmt.Errorf("%s: no .gopclntab", path))
	}
	data, err := sec.Data()
	if err != nil {
		fail(err)
	}
	if binary.LittleEndian.Uint32(data) == 0xfffffff1 {
		binary.LittleEndian.PutUint32(data, 0xfffffff0)
	}
	text := binary.LittleEndian.Uint64(data[24:])
	if text == 0 {
		text = f.Section(".text").Addr
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		fail(err)
	}
	return tab
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "funcs_oracle:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail(fmt.Errorf("usage: funcs_oracle funcs|names BINARY"))
	}
	tab := table(os.Args[2])
	switch os.Args[1] {
	case "funcs":
		for _, fn := range tab.Funcs {
			fmt.Printf("%x %x %s\n", fn.Entry, fn.End, fn.Name)
		}
	case "names":
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			text := strings.TrimPrefix(strings.TrimSpace(in.Text()), "0x")
			pc, err := strconv.ParseUint(text, 16, 64)
			if err != nil {
				fail(err)
			}
			name := "?"
			if fn := tab.PCToFunc(pc); fn != nil {
				name = fn.Name
			}
			fmt.Printf("0x%x %s\n", pc, name)
		}
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}
