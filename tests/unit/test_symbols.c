// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>

#include "unwind/symbols.h"
#include "unit.h"

/* Symbol names as the frames show them: versions dropped, demangled (test_demangle.c). */
static void test_display_names(void)
{
	static const struct {
		const char *symbol, *want;
	} cases[] = {
		{ "pthread_mutex_lock@@GLIBC_2.2.5", "pthread_mutex_lock" },
		{ "_ZN3zoo6worker14wait_for_readyEv", "zoo::worker::wait_for_ready()" },
		{ "_ZN3std3sys4unix5locks5futex5Mutex14lock_contended17h90dd70654eadd9feE@@V2",
		  "std::sys::unix::locks::futex::Mutex::lock_contended" },
		{ "_RNvCs1234_5crate4main", "crate::main" },
		{ "_RNvCs1234_5crate4main@@V1", "crate::main" },
		/* Not a name any compiler writes: shown as it is. */
		{ "_RNvCs1234_5crate9main", "_RNvCs1234_5crate9main" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = symbolizer__display_name(cases[i].symbol);

		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

int main(void)
{
	test_display_names();
	return unit__finish("test_symbols");
}
