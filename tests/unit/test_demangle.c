// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "unwind/demangle.h"
#include "unit.h"

struct demangle_case {
	const char *symbol, *want; /* want NULL: not demangled */
};

static void check_cases(const struct demangle_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = demangle__symbol(cases[i].symbol);

		if (cases[i].want)
			CHECK(got && !strcmp(got, cases[i].want), "%s: got \"%s\", want \"%s\"",
			      cases[i].symbol, got ? got : "(null)", cases[i].want);
		else
			CHECK(!got, "%s: got \"%s\", want none", cases[i].symbol, got);
		free(got);
	}
}

/* C++ and Rust's legacy mangling (rustc 1.63, Debian's), as their languages print them. */
static void test_legacy(void)
{
	static const struct demangle_case cases[] = {
		{ "_ZN3zoo6worker14wait_for_readyEv", "zoo::worker::wait_for_ready()" },
		{ "_ZN3std3sys4unix5locks5futex5Mutex14lock_contended17h90dd70654eadd9feE",
		  "std::sys::unix::locks::futex::Mutex::lock_contended" },
		{ "_ZN4core3ops8function6FnOnce40call_once$u7b$$u7b$vtable.shim$u7d$$u7d$"
		  "17h25269a33498c7358E",
		  "core::ops::function::FnOnce::call_once{{vtable.shim}}" },
		{ "_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$"
		  "4drop17h0123456789abcdefE",
		  "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop" },
		{ "_ZN4core3ptr111drop_in_place$LT$std..sync..poison..PoisonError$LT$std..sync.."
		  "poison..mutex..MutexGuard$LT$$LP$$RP$$GT$$GT$$GT$17h248fc97b6aba71b5E",
		  "core::ptr::drop_in_place<std::sync::poison::PoisonError<std::sync::poison::"
		  "mutex::"
		  "MutexGuard<()>>>" },
		{ "_ZN4core3ptr103drop_in_place$LT$std..sync..mpmc..counter..Counter$LT$std..sync.."
		  "mpmc..list..Channel$LT$u32$GT$$GT$$GT$17he27a7d7a21f1b516E.llvm."
		  "7706131576000573118",
		  "core::ptr::drop_in_place<std::sync::mpmc::counter::Counter<std::sync::mpmc::"
		  "list::"
		  "Channel<u32>>>" },
		/* a control character's code stays written out */
		{ "_ZN1a6b$u07$17h0123456789abcdefE", "a::b$u07$" },
		{ "pthread_mutex_lock", NULL },
		{ "_Z", NULL },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * Rust's v0 mangling: names from rustc 1.95's standard library and from programs built with
 * -C symbol-mangling-version=v0, each as rustc-demangle's alternate form prints it (crate
 * hashes left out). Each construct of the grammar appears at least once.
 */
static void test_v0(void)
{
	static const struct demangle_case cases[] = {
		/* an inherent impl; a backref to a path */
		{ "_RNvMNtNtNtNtCsjrHSEGnQ3l9_3std3sys4sync5mutex5futexNtB2_5Mutex14lock_contended",
		  "<std::sys::sync::mutex::futex::Mutex>::lock_contended" },
		/* a trait impl */
		{ "_RNvXNtNtCsjrHSEGnQ3l9_3std6thread9spawnhookNtB2_"
		  "10SpawnHooksNtNtNtCsgEmfK2I1SDS_"
		  "4core3ops4drop4Drop4drop",
		  "<std::thread::spawnhook::SpawnHooks as core::ops::drop::Drop>::drop" },
		/* generic arguments of a value, a closure's disambiguator, the instantiating crate
		 */
		{ "_RINvCsiEbZd6dCOqU_10rust_waits5startNCNvB2_4mains0_0EB2_",
		  "rust_waits::start::<rust_waits::main::{closure#2}>" },
		/* a trait's own item, a shim, &mut, a tuple, an identifier starting with _ */
		{ "_RNSNvYNCNvNtNtCsjrHSEGnQ3l9_3std3sys9backtrace10__print_"
		  "fmt0INtNtNtCsgEmfK2I1SDS_"
		  "4core3ops8function6FnOnceTQNtNtB13_3fmt9FormatterNtNtNtBc_12backtrace_rs5types17"
		  "BytesOrWideStringEE9call_once6vtableBc_",
		  "<std::sys::backtrace::_print_fmt::{closure#0} as "
		  "core::ops::function::FnOnce<(&mut "
		  "core::fmt::Formatter, "
		  "std::backtrace_rs::types::BytesOrWideString)>>::call_once::"
		  "{shim:vtable#0}" },
		/* generic arguments of a type, *mut, an unsafe extern "C" fn */
		{ "_RNvMs3_NtCsbEht8wFNRx7_5alloc7raw_vecINtB5_6RawVecTOhFUKCBN_"
		  "EuENtNtCsi4IsKQVxMg0_"
		  "3std5alloc6SystemE8grow_oneB13_",
		  "<alloc::raw_vec::RawVec<(*mut u8, unsafe extern \"C\" fn(*mut u8)), "
		  "std::alloc::System>>::grow_one" },
		/* dyn with a binder, lifetimes, a one-tuple, an associated type, auto traits */
		{ "_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeINtNtCslNYArtu3iFV_"
		  "5alloc5boxed3BoxDG0_"
		  "INtNtNtB4_3ops8function2FnTRL1_INtNtCsjrHSEGnQ3l9_3std5panic13PanicHookInfoL0_"
		  "EEEp6"
		  "OutputuNtNtB4_6marker4SyncNtB2N_4SendEL_EEB1T_",
		  "core::ptr::drop_in_place::<alloc::boxed::Box<dyn for<'a, 'b> "
		  "core::ops::function::"
		  "Fn<(&'a std::panic::PanicHookInfo<'b>,), Output = ()> + core::marker::Sync + "
		  "core::marker::Send>>" },
		/* i128 constants past 64 bits */
		{ "_RNvXs8Z_NtNtCsgVdDwkt78Uu_4jiff4util8rangeintINtB6_"
		  "5ri128Knn80000000000000000000000"
		  "000000000_Kn7fffffffffffffffffffffffffffffff_ENtNtCs8NwYtU1Mohg_"
		  "4core3fmt7Display3"
		  "fmtBa_",
		  "<jiff::util::rangeint::ri128<-0x80000000000000000000000000000000, "
		  "0x7fffffffffffffffffffffffffffffff> as core::fmt::Display>::fmt" },
		/* Punycode: fn föö */
		{ "_RNvCs12jkoC9p3aE_1pu6f_1gaa", "p::föö" },
		/* a named closure, arrays, constants, references, pointers, fn types, ABIs */
		{ "_RNCNvC1a1fs_1x", "a::f::{closure:x#1}" },
		{ "_RINvC1a1fAhj8_E", "a::f::<[u8; 8]>" },
		{ "_RINvC1a1fKb1_Kb0_Kc41_Kc27_Kc2764_Kln5_KpE",
		  "a::f::<true, false, 'A', '\\'', '\\u{2764}', -5, _>" },
		{ "_RINvC1a1fRL_eQeE", "a::f::<&str, &mut str>" },
		{ "_RINvC1a1fPaFG_RL0_hEuE", "a::f::<*const i8, for<'a> fn(&'a u8)>" },
		{ "_RINvC1a1fFK6sysv64EmE", "a::f::<extern \"sysv64\" fn() -> u32>" },
		{ "_RNvYhNtC1a1T1f", "<u8 as a::T>::f" },
		/* suffixes: LLVM's copies dropped, others kept */
		{ "_RNvC1a1f.llvm.13854487428119197880", "a::f" },
		{ "_RNvC1a1f.cold", "a::f.cold" },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Names no compiler makes: refused, so the symbol is shown as it is. */
static void test_v0_malformed(void)
{
	static const struct demangle_case cases[] = {
		{ "_R", NULL },
		{ "_RNvC1a", NULL },			/* cut short */
		{ "_RNvC1a1fX", NULL },			/* trailing junk */
		{ "_RNvC9a1f", NULL },			/* an identifier longer than the name */
		{ "_RB_", NULL },			/* a backref to itself */
		{ "_RNvB5_1f", NULL },			/* a backref forward */
		{ "_R1NvC1a1f", NULL },			/* an encoding version not known */
		{ "_RNvC1a1f\x1b[2J", NULL },		/* a suffix no toolchain writes */
		{ "_RINvC1a1fKb2_E", NULL },		/* a bool that is 2 */
		{ "_RINvC1a1fKc110000_E", NULL },	/* a char past Unicode */
		{ "_RINvC1a1fRL1_hE", NULL },		/* a lifetime no binder bound */
		{ "_RNvC1a1fu14zzzzzzzzzzzzzz", NULL }, /* Punycode overflowing */
		{ "_RNvCszzzzzzzzzzzzzz_1a1f", NULL },	/* a number overflowing */
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Base 62 as v0 writes a backref: "_" for 0, else value - 1 in digits, then "_". */
static size_t base62(size_t value, char *out)
{
	static const char digits[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char rev[16];
	size_t n = 0, len = 0;

	if (value--) {
		do
			rev[n++] = digits[value % 62];
		while (value /= 62);
	}
	while (n)
		out[len++] = rev[--n];
	out[len++] = '_';
	return len;
}

/*
 * Names a hostile binary could hold: nesting deeper than the reader goes, and backrefs that
 * double the text at each step (2^40 characters). Both are refused, quickly and in bounds.
 */
static char *nested_paths(int depth)
{
	char *name = malloc(16 + 4 * (size_t)depth), *got;
	size_t len = 0;

	if (!name)
		return NULL;
	len += (size_t)sprintf(name + len, "_R");
	for (int i = 0; i < depth; i++)
		len += (size_t)sprintf(name + len, "Nv");
	len += (size_t)sprintf(name + len, "C1a");
	for (int i = 0; i < depth; i++)
		len += (size_t)sprintf(name + len, "1b");
	got = demangle__symbol(name);
	free(name);
	return got;
}

static void test_v0_hostile(void)
{
	char *name = malloc(16384), *got;
	size_t len, prev;

	if (!name)
		return;
	got = nested_paths(200);
	CHECK(got && strlen(got) == 1 + 200 * 3, "200 nested paths: got \"%.40s\"", got);
	free(got);
	got = nested_paths(300);
	CHECK(!got, "300 nested paths: got a name of %zu bytes", got ? strlen(got) : 0);
	free(got);

	strcpy(name, "_RINvC1a1f");
	len = strlen(name);
	prev = len - 2;
	len += (size_t)sprintf(name + len, "Thh");
	len += (size_t)sprintf(name + len, "E");
	for (int i = 0; i < 40; i++) {
		size_t here = len - 2;

		name[len++] = 'T';
		for (int k = 0; k < 2; k++) {
			name[len++] = 'B';
			len += base62(prev, name + len);
		}
		name[len++] = 'E';
		prev = here;
	}
	strcpy(name + len, "E");
	got = demangle__symbol(name);
	CHECK(!got, "doubling backrefs: got a name of %zu bytes", got ? strlen(got) : 0);
	free(got);
	free(name);
}

int main(void)
{
	test_legacy();
	test_v0();
	test_v0_malformed();
	test_v0_hostile();
	return unit__finish("test_demangle");
}
