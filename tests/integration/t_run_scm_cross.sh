#!/bin/sh
# scm-cross over unix and unix-dgram, and socketpair,close over unix-dgram.
. "$TESTDIR/scm_lib.sh"
TEST_NAME=t_run_scm_cross
scm_runs scm-cross-unix scm-cross-unix-dgram none-unix-dgram
