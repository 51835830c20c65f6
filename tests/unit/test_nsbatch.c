/* Unit tests for src/run/nsbatch.c: a signal ends the wait for the kernel's namespace batch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "common.h"
#include "run/nsbatch.h"
#include "run/stop.h"

#define LONG_WAIT 30.0 /* longer than the test waits for: only a signal ends it early */

static void *signal_soon(void *arg)
{
	(void)arg;
	/* Whenever it lands, before or during the wait, the flush must see it. */
	usleep(50 * 1000);
	kill(getpid(), SIGINT);
	return NULL;
}

/*
 * With nothing pending, the flush's own namespace keeps the count one higher and the wait would
 * run to its end: a Ctrl-C (counted, as in a run's quiesce) must end it, and the flush says so.
 */
static void test_signal_ends_wait(void **state)
{
	pthread_t t;
	long r;

	(void)state;
	if (!sl_is_root())
		skip();
	stop_begin();
	assert_int_equal(pthread_create(&t, NULL, signal_soon, NULL), 0);
	r = nsbatch_flush(LONG_WAIT);
	pthread_join(t, NULL);
	assert_true(stop_count() >= 1);
	stop_end();
	assert_int_equal(r, -EINTR);
}

/* Without a wait, nothing to interrupt: the flush is done once its namespace went. */
static void test_no_wait(void **state)
{
	(void)state;
	if (!sl_is_root())
		skip();
	assert_true(nsbatch_flush(0) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_wait),
		cmocka_unit_test(test_signal_ends_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
