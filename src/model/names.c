/* Names of an enum's values: the lookups every table of names shares. */
#include "model/names.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

const char *name_at(const char *const *names, size_t n, unsigned i)
{
	return i < n && names[i] ? names[i] : "?";
}

int name_index(const char *const *names, size_t n, const char *s, bool nocase)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (names[i] && (nocase ? !strcasecmp(names[i], s) : !strcmp(names[i], s)))
			return (int)i;
	return -EINVAL;
}
