/* The HTML report's section "Where it was allocated" (--attribute). */
#ifndef SOCKLEAK_REPORT_HTML_ATTR_H
#define SOCKLEAK_REPORT_HTML_ATTR_H

#include <stdio.h>

#include "model/attribution.h"
#include "model/series.h"

/* Writes the section (nothing when a is NULL or attribution was never asked for). */
void report_html_attribution(FILE *f, const struct series *s, const struct attribution *a);

#endif
