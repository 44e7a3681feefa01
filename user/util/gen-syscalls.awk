# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Turn <asm/unistd_64.h> into a table of syscall names indexed by number.
/^#define __NR_[a-z0-9_]+[ \t]+[0-9]+/ {
	name = $2
	sub(/^__NR_/, "", name)
	printf "\t[%d] = \"%s\",\n", $3, name
}
