/* The JSON report's "attribution" object (--attribute): its writer and its loader. */
#ifndef SOCKLEAK_REPORT_JSON_ATTR_H
#define SOCKLEAK_REPORT_JSON_ATTR_H

#include <jansson.h>

#include "model/attribution.h"
#include "model/series.h"
#include "report/jw.h"

/* Writes "attribution" (nothing when a is NULL or attribution was never asked for). */
void report_json_attribution(struct jw *w, const struct series *s, const struct attribution *a);
/*
 * Reads it back into a (attribution_free releases it, also on failure); figures name columns
 * of s. 0, or -EINVAL after saying where in path the problem is (sl_err), or -ENOMEM.
 */
int report_json_load_attribution(json_t *o, const char *path, const struct series *s,
				 struct attribution *a);

#endif
