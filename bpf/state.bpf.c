// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one definition of every map, knob and counter the programs share (see shared.bpf.h). */
#include "shared.bpf.h"

struct task_info_map task_info SEC(".maps");
struct creators_map creators SEC(".maps");
struct proc_counts_map proc_counts SEC(".maps");
struct tgid_filter_map tgid_filter SEC(".maps");
struct task_record_buf_map task_record_buf SEC(".maps");
struct owner_map owner SEC(".maps");

const volatile __u32 filter_by_tgid = 0;
__u32 seeding_only = 0;
__u64 fast_count_since_ns = ~0ULL;
__u32 creators_window = 0;

__u64 count_state_dropped = 0;
__u64 blocked_state_dropped = 0;
__u64 proc_count_dropped = 0;
__u64 creator_dropped = 0;
__u64 count_refused = 0;

char LICENSE[] SEC("license") = "Dual BSD/GPL";
