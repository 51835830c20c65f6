/* Columns for test series, described as a schema-1 report's are: by the catalog's shim. */
#ifndef SOCKLEAK_TEST_DESCRIBE_H
#define SOCKLEAK_TEST_DESCRIBE_H

#include "model/series.h"

/* Adds a column named as a probe would name it, with the descriptor that probe declares. */
static inline int series_add_named(struct series *s, const char *name, enum unit unit,
				   enum metric_kind kind, const char *note)
{
	struct metric_desc d;
	char buf[256];

	metric_desc_v1(name, unit, kind, note, &d, buf, sizeof(buf));
	return series_add(s, name, &d);
}

#endif
