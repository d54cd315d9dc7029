#include "sc_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int sc_log_level = SC_LOG_INFO;

static const char *sc_log_level_name(int level)
{
    switch (level) {
    case SC_LOG_DEBUG:
        return "DEBUG";
    case SC_LOG_INFO:
        return "INFO";
    case SC_LOG_WARNING:
        return "WARNING";
    default:
        return "ERROR";
    }
}

int sc_log_set_level_name(const char *name)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {{"DEBUG", SC_LOG_DEBUG},     {"INFO", SC_LOG_INFO},   {"WARNING", SC_LOG_WARNING},
                 {"WARN", SC_LOG_WARNING},    {"ERROR", SC_LOG_ERROR}, {"CRITICAL", 50},
                 {"FATAL", 50}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            sc_log_level = names[i].level;
            return 0;
        }
    }
    return -1;
}

void sc_log_set_level(int level)
{
    sc_log_level = level;
}

int sc_log_enabled(int level)
{
    return level >= sc_log_level;
}

void sc_log_write(int level, const char *file, const char *func, int line, const char *fmt, ...)
{
    char out[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t blen = strcspn(base, ".");
    int n = snprintf(out, sizeof(out), "%04d-%02d-%02d %02d:%02d:%02d,%03d - seldon_core_c.%.*s:%s:%d - %s:  ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(tv.tv_usec / 1000), (int)blen, base, func, line, sc_log_level_name(level));
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(out + len, sizeof(out) - len, fmt, ap);
    va_end(ap);
    if (m > 0)
        len += (size_t)m < sizeof(out) - len ? (size_t)m : sizeof(out) - len - 1;
    if (len >= sizeof(out) - 1)
        len = sizeof(out) - 2;
    out[len++] = '\n';
    /* One write per line: atomic for pipes up to PIPE_BUF, so concurrent workers do not mix. */
    ssize_t w = write(STDERR_FILENO, out, len);
    (void)w;
}
