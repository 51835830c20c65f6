/* Unit tests for src/report/jw.c: layout, exact numbers, null for NaN, escaping, valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jw.h"

static void test_layout(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;
	json_t *root, *sub;
	json_error_t e;

	(void)state;
	jw_init(&w, f);
	jw_object(&w, NULL, false);
	jw_int(&w, "schema", 1);
	jw_str(&w, "s", "quote \" and \\ and \n and é");
	jw_str(&w, "null", NULL);
	jw_array(&w, "v", true);
	jw_num(&w, NULL, 0.1);
	jw_num(&w, NULL, NAN);
	jw_num(&w, NULL, -0.0);
	jw_num(&w, NULL, 1e20);
	jw_num(&w, NULL, 3);
	jw_end(&w);
	jw_object(&w, "o", true);
	jw_bool(&w, "t", true);
	jw_null(&w, "n");
	jw_end(&w);
	sub = json_pack("{s:f, s:[i, s]}", "real", 10.0, "arr", 1, "x");
	jw_json(&w, "j", sub);
	jw_end(&w);
	fclose(f);
	assert_false(w.failed);
	assert_non_null(strstr(buf, "\"v\": [0.1, null, 0, 1e+20, 3]"));
	assert_non_null(strstr(buf, "\"o\": {\"t\": true, \"n\": null}"));
	assert_non_null(strstr(buf, "\n  \"schema\": 1,"));
	assert_non_null(strstr(buf, "\"real\": 10.0"));
	root = json_loadb(buf, len, 0, &e);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "s")),
			    "quote \" and \\ and \n and é");
	assert_true(json_equal(json_object_get(root, "j"), sub));
	json_decref(root);
	json_decref(sub);
	free(buf);
}

/* A name that is not UTF-8 still makes valid JSON. */
static void test_bad_utf8(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;
	json_error_t e;
	json_t *root;

	(void)state;
	jw_init(&w, f);
	jw_object(&w, NULL, false);
	jw_str(&w, "name", "cache\xff\xfe");
	jw_end(&w);
	fclose(f);
	root = json_loadb(buf, len, 0, &e);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "name")), "cache??");
	json_decref(root);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_bad_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
