/*
 * Text for a terminal: bytes a terminal would act on, from whatever a report or the system holds
 * (names, reasons, a hostname), are written as visible escapes. The one place that decides it.
 */
#ifndef SOCKLEAK_ESCAPE_H
#define SOCKLEAK_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * An escaper's state between pieces of one text: a UTF-8 sequence may be split between them.
 * Zero it to start.
 */
struct esc_state {
	unsigned char pend[4];
	unsigned npend, want;
};

/*
 * Escapes n bytes of in into out (NUL-terminated, truncated to size): C0 controls but newline and
 * tab as \xHH (ESC is \x1b), DEL as \x7f, C1 controls (U+0080-U+009F) as \u0080-\u009f, bytes
 * that are not UTF-8 as \xHH; everything else as it is. With final, a sequence left incomplete
 * at the end is escaped too. Returns the length of the escaped text (which may exceed size).
 */
size_t esc_text(struct esc_state *st, const char *in, size_t n, char *out, size_t size, int final);

/*
 * A stream that writes into f what esc_text makes of it (for the text reports on a terminal or
 * in a file). fclose it to flush it into f; f stays open. NULL when it cannot be made.
 */
FILE *esc_stream(FILE *f);

#endif
