/* Names of enums in reports (part of the JSON schema) and their parsers. */
#ifndef SOCKLEAK_REPORT_NAMES_H
#define SOCKLEAK_REPORT_NAMES_H

#include "model/result.h"
#include "model/series.h"
#include "config.h"

/* "CLEAN", "BOUNDED", "INCONCLUSIVE", "BACKLOG", "LEAK"; "?" out of range. */
const char *names_verdict(enum verdict v);
/* "level", "counter", "cost". */
const char *names_kind(enum metric_kind k);
/* "tcp", "tcp6", "udp", "udp6", "unix", "unix-dgram", "mptcp". */
const char *names_transport(enum transport_kind t);
/* "eof", "immediate", "never-read", "rst". */
const char *names_server_close(enum server_close c);

/* The reverse: 0, or -EINVAL for a name that is not one of the above (verdicts in any case). */
int names_parse_verdict(const char *s, enum verdict *out);
int names_parse_kind(const char *s, enum metric_kind *out);
int names_parse_unit(const char *s, enum unit *out);
int names_parse_phase(const char *s, enum phase *out);
int names_parse_transport(const char *s, enum transport_kind *out);
int names_parse_server_close(const char *s, enum server_close *out);

#endif
