/* sc_float: decimal <-> binary64 conversions that match CPython exactly.
 *
 * Threading: pure functions, no GIL, no global mutable state after sc_float_init(); any process,
 * any thread.
 */
#ifndef SC_FLOAT_H
#define SC_FLOAT_H

#include <stddef.h>

/* Large enough for any output of the functions below, NUL included. */
#define SC_FLOAT_BUFSIZE 40

/* Optional one-time set-up (e.g. building power-of-ten tables); call before any thread uses the
 * module. Safe to call more than once. */
void sc_float_init(void);

/* Writes exactly what Python's repr(float(v)) prints ("1.0", "0.1", "1e-05", "1e+16",
 * "1.2345678901234567e+19", "-0.0", "nan", "inf", "-inf") and a NUL; returns the length. */
size_t sc_float_repr(double v, char *buf);

/* As sc_float_repr, but with json.dumps' spelling of the non-finite values: "NaN", "Infinity",
 * "-Infinity". */
size_t sc_float_json(double v, char *buf);

/* Parses a JSON number literal (grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, already
 * validated by the caller) into the correctly rounded double, as Python's float() does;
 * overflow gives +-inf, underflow gives +-0.0. */
double sc_float_parse(const char *s, size_t len);

#endif
