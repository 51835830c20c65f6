/* The JSON report's "attribution" object (--attribute): its writer and its loader. */
#ifndef SOCKLEAK_REPORT_JSON_ATTR_H
#define SOCKLEAK_REPORT_JSON_ATTR_H

#include <jansson.h>

#include "model/attribution.h"
#include "model/series.h"
#include "report/jtab.h"
#include "report/jw.h"

/* Writes "attribution" (nothing when a is NULL or attribution was never asked for). */
void report_json_attribution(struct jw *w, const struct series *s, const struct attribution *a);
/*
 * Reads it back into a (attribution_free releases it, also on failure); figures name columns of
 * rd->s. 0, or rd->err: -EINVAL after saying where the problem is (jt_bad), or -ENOMEM.
 */
int report_json_load_attribution(struct jt_reader *rd, json_t *o, struct attribution *a);

#endif
