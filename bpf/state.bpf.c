// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one definition of every map, knob and counter the programs share (see shared.bpf.h). */
#include "shared.bpf.h"

struct task_info_map task_info SEC(".maps");
struct creator_tags_map creator_tags SEC(".maps");
struct creators_map creators SEC(".maps");
struct proc_highs_map proc_highs SEC(".maps");
struct tgid_filter_map tgid_filter SEC(".maps");
struct task_record_buf_map task_record_buf SEC(".maps");
struct creator_record_buf_map creator_record_buf SEC(".maps");
struct owner_map owner SEC(".maps");

const volatile __u32 filter_by_tgid = 0;
const volatile __u32 filter_creators_by_tgid = 0;
const volatile __u32 creator_bucket_mask = 0;
const volatile __u64 pid_ns_dev = 0;
const volatile __u64 pid_ns_ino = 0;

__u64 blocked_state_dropped = 0;
__u64 creator_dropped = 0;

char LICENSE[] SEC("license") = "Dual BSD/GPL";
