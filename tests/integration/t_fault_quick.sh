#!/bin/sh
# The fault trials' bounded version (tests/fault/run.sh; `make fault` runs thirty): SIGKILL in
# churn and a next run that removes what it left, a double SIGINT, SIGHUP and SIGTERM; nothing of
# the run's may stay, the exit code is 128+N and the reports that were due are whole.
FAULT_QUICK=1 exec sh "$TESTDIR/../fault/run.sh" "$SOCKLEAK"
