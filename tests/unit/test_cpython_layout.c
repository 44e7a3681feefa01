// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The provenance of CPython's layouts as leakmon copied them by hand (runtime/cpython.h): each
 * offset, size and flag against CPython 3.11's own internal headers (Debian's libpython3.11-dev),
 * compiled as CPython compiles itself. A release that moved a field fails here, not in a stack.
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <stddef.h>

#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_gil.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_object.h"
#include "internal/pycore_runtime.h"

#include "runtime/cpython.h"
#include "unit.h"

#define CHECK_AT(got, want)                                                                        \
	CHECK((uint64_t)(got) == (uint64_t)(want), "%s is %llu, the headers say %llu", #got,       \
	      (unsigned long long)(got), (unsigned long long)(want))

static void check_layout_311(void)
{
	const struct py_layout *l = &cpython_layout_311;

	CHECK_AT(l->runtime_interpreters, offsetof(_PyRuntimeState, interpreters.head));
	CHECK_AT(l->runtime_gil, offsetof(_PyRuntimeState, ceval.gil));
	CHECK_AT(l->interp_next, offsetof(PyInterpreterState, next));
	CHECK_AT(l->interp_threads, offsetof(PyInterpreterState, threads.head));
	CHECK_AT(l->thread_next, offsetof(PyThreadState, next));
	CHECK_AT(l->thread_ident, offsetof(PyThreadState, thread_id));
	CHECK_AT(l->thread_native_id, offsetof(PyThreadState, native_thread_id));
	CHECK_AT(l->thread_cframe, offsetof(PyThreadState, cframe));
	CHECK_AT(l->frame_current, offsetof(_PyCFrame, current_frame));
	CHECK_AT(l->frame_code, offsetof(_PyInterpreterFrame, f_code));
	CHECK_AT(l->frame_previous, offsetof(_PyInterpreterFrame, previous));
	CHECK_AT(l->frame_instr, offsetof(_PyInterpreterFrame, prev_instr));
	CHECK_AT(l->frame_owner, offsetof(_PyInterpreterFrame, owner));
	CHECK_AT(l->frame_is_entry, offsetof(_PyInterpreterFrame, is_entry));
	CHECK_AT(l->frame_localsplus, offsetof(_PyInterpreterFrame, localsplus));
	CHECK_AT(l->code_filename, offsetof(PyCodeObject, co_filename));
	CHECK_AT(l->code_qualname, offsetof(PyCodeObject, co_qualname));
	CHECK_AT(l->code_linetable, offsetof(PyCodeObject, co_linetable));
	CHECK_AT(l->code_firstlineno, offsetof(PyCodeObject, co_firstlineno));
	CHECK_AT(l->code_instructions, offsetof(PyCodeObject, co_code_adaptive));
	CHECK_AT(l->code_stacksize, offsetof(PyCodeObject, co_stacksize));
	CHECK_AT(l->code_nlocalsplus, offsetof(PyCodeObject, co_nlocalsplus));
	CHECK_AT(l->unicode_ascii_size, sizeof(PyASCIIObject));
	CHECK_AT(l->unicode_compact_size, sizeof(PyCompactUnicodeObject));
	CHECK_AT(l->type_cached_keys, offsetof(PyHeapTypeObject, ht_cached_keys));
	CHECK_AT(l->values_start, offsetof(PyDictValues, values));
	CHECK(l->attrs == PY_ATTRS_VALUES_BEFORE && !l->long_tagged && !l->interp_gil &&
		      !l->parked_addr_before_sema,
	      "3.11: values before the object, a signed digit count, one GIL, no parking lot");
}

/* Where an instance's managed dict and values are, by 3.11's own functions for them. */
static void check_attrs_311(void)
{
	static PyTypeObject type = { .tp_flags = Py_TPFLAGS_MANAGED_DICT };
	PyObject *words[8] = { NULL };
	PyObject *obj = (PyObject *)&words[4];

	obj->ob_type = &type;
	CHECK_AT((char *)_PyObject_ManagedDictPointer(obj) - (char *)obj, PY_MANAGED_DICT);
	CHECK_AT((char *)_PyObject_ValuesPointer(obj) - (char *)obj, PY_MANAGED_DICT - 8);
	CHECK(PY_OBJECT_BEFORE >= -(PY_MANAGED_DICT - 8), "what is read before an object holds it");
	CHECK_AT(PY_TPFLAGS_MANAGED_DICT, Py_TPFLAGS_MANAGED_DICT);
}

/* What 3.11 to 3.13 share: object headers, types, dicts, strings, ints, the GIL. */
static void check_shared(void)
{
	PyASCIIObject str;
	uint32_t state;

	CHECK_AT(PY_OB_TYPE, offsetof(PyObject, ob_type));
	CHECK_AT(PY_OB_SIZE, offsetof(PyVarObject, ob_size));
	CHECK_AT(PY_BYTES_DATA, offsetof(PyBytesObject, ob_sval));
	CHECK_AT(PY_TYPE_FLAGS, offsetof(PyTypeObject, tp_flags));
	CHECK_AT(PY_TYPE_NAME, offsetof(PyTypeObject, tp_name));
	CHECK_AT(PY_DICT_KEYS, offsetof(PyDictObject, ma_keys));
	CHECK_AT(PY_DICT_VALUES, offsetof(PyDictObject, ma_values));
	CHECK_AT(PY_KEYS_LOG2_INDEX_BYTES, offsetof(PyDictKeysObject, dk_log2_index_bytes));
	CHECK_AT(PY_KEYS_KIND, offsetof(PyDictKeysObject, dk_kind));
	CHECK_AT(PY_KEYS_NENTRIES, offsetof(PyDictKeysObject, dk_nentries));
	CHECK_AT(PY_KEYS_INDICES, offsetof(PyDictKeysObject, dk_indices));
	CHECK_AT(PY_KEYS_GENERAL, DICT_KEYS_GENERAL);
	CHECK(sizeof(PyDictKeyEntry) == 24 && sizeof(PyDictUnicodeEntry) == 16,
	      "entries of hash, key, value (24 bytes) or key, value (16)");
	CHECK_AT(PY_CFUNCTION_SELF, offsetof(PyCFunctionObject, m_self));
	CHECK_AT(PY_LONG_DIGITS, offsetof(PyLongObject, ob_digit));
	CHECK_AT(PY_LONG_DIGIT_BITS, PyLong_SHIFT);
	CHECK_AT(PY_UNICODE_STATE, offsetof(PyASCIIObject, state));
	memset(&str, 0, sizeof(str));
	str.state.kind = PyUnicode_4BYTE_KIND;
	str.state.compact = 1;
	str.state.ascii = 1;
	memcpy(&state, (char *)&str + PY_UNICODE_STATE, sizeof(state));
	CHECK(PY_UNICODE_KIND(state) == PyUnicode_4BYTE_KIND && PY_UNICODE_COMPACT(state) &&
		      PY_UNICODE_ASCII(state),
	      "a string's kind, compact and ascii bits, from its state word %#x", state);
	CHECK_AT(PY_GIL_LAST_HOLDER, offsetof(struct _gil_runtime_state, last_holder));
	CHECK_AT(PY_GIL_LOCKED, offsetof(struct _gil_runtime_state, locked));
	CHECK_AT(PY_GIL_COND, offsetof(struct _gil_runtime_state, cond));
	CHECK_AT(PY_GIL_WAIT_BYTES, offsetof(struct _gil_runtime_state, mutex) +
					    sizeof(((struct _gil_runtime_state *)0)->mutex) -
					    offsetof(struct _gil_runtime_state, cond));
}

int main(void)
{
	check_layout_311();
	check_attrs_311();
	check_shared();
	return unit__finish("test_cpython_layout");
}
