/* Text for people: the width it is wrapped at (the terminal's, or 100) and the wrapping itself. */
#ifndef SOCKLEAK_REPORT_WRAP_H
#define SOCKLEAK_REPORT_WRAP_H

#include <stdio.h>

#define WRAP_DEFAULT 100 /* when the output is not a terminal and COLUMNS is not set */
#define WRAP_MIN 40
#define WRAP_MAX 400

/*
 * The width text written to f wraps at: COLUMNS when it is a number, else the width of the
 * terminal f is, else (a file, a pipe) 100. Clamped to [WRAP_MIN, WRAP_MAX].
 */
int wrap_width(FILE *f);
/* The same, with fallback (when in range) instead of 100 when f is not a terminal. */
int wrap_width_or(FILE *f, int fallback);
/* A width as given (--width, COLUMNS): 0 and *w set, or -EINVAL for no number. Clamped. */
int wrap_parse_width(const char *text, int *w);

/*
 * Prints text, the cursor being at column col, wrapped at width: a line breaks at a blank, the
 * next starting at column indent. Blanks between words are kept as they are (alignment inside a
 * line) unless the line breaks there. Ends with a newline.
 */
void wrap_text(FILE *f, const char *text, int col, int indent, int width);

/*
 * Prints paragraphs written with hard line breaks, re-wrapped at width. A block is a line and
 * those that continue it: lines at column 0 join into a paragraph; a more indented line after a
 * block's first one gives the block a hanging indent, and further lines at that indent join it
 * ("  REGRESSION  a metric...\n               rise...") when it lines up with a word of the first
 * line. Blank lines are kept.
 */
void wrap_paragraphs(FILE *f, const char *text, int width);

#endif
