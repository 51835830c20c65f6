#!/bin/sh
# scm-triangle over unix and unix-dgram.
. "$TESTDIR/scm_lib.sh"
TEST_NAME=t_run_scm_triangle
scm_runs scm-triangle-unix scm-triangle-unix-dgram
