// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * /proc/PID/stat as the process's own name leaves it: a name with ") " and digits in it must
 * not shift the fields after it. Read of this very process, renamed.
 */
#include <sys/prctl.h>
#include <unistd.h>

#include "util/clock.h"
#include "proc/procstat.h"
#include "unit.h"

int main(void)
{
	long tick_ns = 1000000000L / sysconf(_SC_CLK_TCK);
	struct procstat st;

	CHECK(procstat__read((uint32_t)getpid(), &st), "our own stat");
	CHECK(!(st.flags & PROCSTAT_PF_KTHREAD), "we are no kernel thread: flags %#x", st.flags);
	CHECK(st.start_ticks * (uint64_t)tick_ns <= clock__boot_ns(), "started before now: %llu",
	      (unsigned long long)st.start_ticks);
	prctl(PR_SET_NAME, "x) S 1 2 3 (y", 0, 0, 0);
	CHECK(procstat__read((uint32_t)getpid(), &st), "our own stat, renamed");
	CHECK_STR(st.comm, "x) S 1 2 3 (y");
	CHECK(!(st.flags & PROCSTAT_PF_KTHREAD), "still no kernel thread: flags %#x", st.flags);
	/* Outside a pid namespace of its own, pid 2 is the kernel threads' parent. */
	if (procstat__read(2, &st) && !strcmp(st.comm, "kthreadd"))
		CHECK(st.flags & PROCSTAT_PF_KTHREAD, "kthreadd is a kernel thread: %#x", st.flags);
	CHECK(!procstat__read(0, &st), "no pid 0 in /proc");
	return unit__finish("test_procstat");
}
