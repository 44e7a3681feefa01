/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef LEAKMON_ARRAY_H
#define LEAKMON_ARRAY_H

#include <stdlib.h>

/*
 * Room for one more element in an array of n elements of elem bytes that holds *cap: the array
 * itself while there is room, else one twice as large (64 elements at first), *cap updated; NULL
 * when that cannot be had, the array left as it was.
 */
static inline void *array__grow(void *array, size_t *cap, size_t n, size_t elem)
{
	void *grown;

	if (n < *cap)
		return array;
	grown = realloc(array, (*cap ? *cap * 2 : 64) * elem);
	if (grown)
		*cap = *cap ? *cap * 2 : 64;
	return grown;
}

#endif /* LEAKMON_ARRAY_H */
