#!/bin/sh
# --attribute-objects 16: the object table fills at once; every allocation past it is counted
# as lost, and the report says so beside the stacks.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_attr_lost

srun tiny 0 --attribute-objects 16 --seconds 1 --baseline 0.5 --quiesce-max 1s --no-teardown
attr_on tiny
rjq tiny '.attribution.lost.objects_full > 100' "allocations past the table counted as lost"
rjq tiny '.attribution.lost_any == true' "the run says it lost events"
says tiny "LOST EVENTS:"
says tiny "the object map was full (raise --attribute-objects)"
echo "ok: the text report shows the lost count and what to do"
