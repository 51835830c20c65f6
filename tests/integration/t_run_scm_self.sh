#!/bin/sh
# scm-self over unix and unix-dgram, and socketpair,close over unix.
. "$TESTDIR/scm_lib.sh"
TEST_NAME=t_run_scm_self
scm_runs scm-self-unix scm-self-unix-dgram none-unix
