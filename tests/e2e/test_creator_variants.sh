#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Both variants of the fork hook pass this kernel's verifier and keep creators by their rule
# (tests/e2e/creator_variants.c).
. "$(dirname "$0")/lib.sh"

"$BUILD/tests/creator_variants" || [ $? -eq 1 ] || fail "the loader did not run"
