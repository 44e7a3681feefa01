#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A leak beside a pool that churns faster: the pool's creations, ending at once, raise the
# count's high between them, so that the leak's own creations never do, and creators are kept
# only for threads that raise it. Once the count rises, every creation of the process keeps its
# creator until the growth is said: the growing group carries its creation site.
. "$(dirname "$0")/lib.sh"

fixture_start thread_leak 500 pipe 2 || finish
"$LEAKMON" --json -p "$FIXTURE_PID" --interval 500ms --growth-window 10s --blocked-threshold 1h \
	>"$TMP/events.jsonl" 2>"$TMP/err" &
monitor=$!
for i in $(seq 60); do
	grep -q '"event":"growth"' "$TMP/events.jsonl" && break
	sleep 1
done
kill -INT "$monitor"
check "the monitor exits 0" wait "$monitor"
check "the leak's growth is blamed on its start routine, and the call that creates its threads" \
	json_matches "$TMP/events.jsonl" '[.[] | select(.event == "growth") |
	  .site.start_routine == "leaked_request_handler" and .site.count >= 10 and
	  .site.created_by.func == "serve_requests" and
	  .site.example.created_by.func == "serve_requests"] == [true]' -s
finish
