// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/heap.h"
#include "util/log.h"

#define HEAP_HUGE_SPAN (32UL << 20)
#define HEAP_HUGE_PAGE (2UL << 20)

void heap__prefer_huge_pages(void)
{
	uintptr_t start, end;
	void *grow;

	if (!mallopt(M_MMAP_THRESHOLD, HEAP_HUGE_SPAN) || !mallopt(M_TOP_PAD, HEAP_HUGE_SPAN)) {
		log_debug("huge pages for the heap: mallopt refused");
		return;
	}
	/* Grows the heap by the span and its padding; freeing it keeps the padding. */
	grow = malloc(HEAP_HUGE_SPAN / 2);
	if (!grow)
		return;
	start = ((uintptr_t)grow + HEAP_HUGE_PAGE - 1) & ~(HEAP_HUGE_PAGE - 1);
	end = (uintptr_t)sbrk(0) & ~(HEAP_HUGE_PAGE - 1);
	/* Not from the heap (another allocator, as under a sanitizer): nothing to advise. */
	if ((uintptr_t)grow < end && start < end &&
	    madvise((void *)start, end - start, MADV_HUGEPAGE))
		log_debug("huge pages for the heap: madvise: %s", strerror(errno));
	free(grow);
}
