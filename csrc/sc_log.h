/* sc_log: log lines in the original's layout
 *   "2024-01-01 12:00:00,123 - seldon_core_c.<file>:<function>:<line> - INFO:  message"
 * written with one write(2) per line to stderr so lines from threads and processes never
 * interleave. Threading: any thread, any process; no GIL.
 */
#ifndef SC_LOG_H
#define SC_LOG_H

enum { SC_LOG_DEBUG = 10, SC_LOG_INFO = 20, SC_LOG_WARNING = 30, SC_LOG_ERROR = 40 };

/* Sets the minimum level; returns 0, or -1 for an unknown name. */
int sc_log_set_level_name(const char *name);
void sc_log_set_level(int level);
int sc_log_enabled(int level);

void sc_log_write(int level, const char *file, const char *func, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define SC_LOG(level, ...)                                                                         \
    do {                                                                                           \
        if (sc_log_enabled(level))                                                                 \
            sc_log_write(level, __FILE__, __func__, __LINE__, __VA_ARGS__);                       \
    } while (0)
#define SC_DEBUG(...) SC_LOG(SC_LOG_DEBUG, __VA_ARGS__)
#define SC_INFO(...) SC_LOG(SC_LOG_INFO, __VA_ARGS__)
#define SC_WARN(...) SC_LOG(SC_LOG_WARNING, __VA_ARGS__)
#define SC_ERROR(...) SC_LOG(SC_LOG_ERROR, __VA_ARGS__)

#endif
