/* The time series as CSV: one row per stored row, one column per metric. */
#include "report/report.h"

#include <errno.h>
#include <math.h>

#include "report/fmt.h"
#include "report/out.h"

int report_csv_write(FILE *f, const struct series *s)
{
	char buf[FMT_NUM_MAX];
	size_t i, j;

	fputs("t,cycles,phase", f);
	for (j = 0; j < s->ncols; j++) {
		fputc(',', f);
		fmt_csv(f, s->cols[j].name);
	}
	fputc('\n', f);
	for (i = 0; i < s->nrows; i++) {
		fprintf(f, "%s,", fmt_exact(buf, s->t[i]));
		fprintf(f, "%s,%s", fmt_exact(buf, s->cycles[i]),
			phase_name((enum phase)s->phase[i]));
		for (j = 0; j < s->ncols; j++) {
			double v = s->cols[j].v[i];

			fputc(',', f);
			/* An empty cell is what spreadsheets and pandas read as missing. */
			if (isfinite(v))
				fputs(fmt_exact(buf, v), f);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

static int csv_write(FILE *f, const void *s)
{
	/* The only failure is a write error, which out_close finds and says. */
	report_csv_write(f, s);
	return 0;
}

int report_csv(const char *path, const struct series *s)
{
	return out_write(path, csv_write, s);
}
