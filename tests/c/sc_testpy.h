/* sc_test_run_check: runs a differential checker, tests/c/check_*.py, with this test binary as
 * its argument (the script feeds cases back through `<binary> --cases FILE` and compares them
 * with Python's answers; sc_test_cases_mode below is that side). $SC_PYTHON, else python3. The test fails when the script fails; it is
 * skipped (with a SKIP line) when the script or the interpreter is missing. Header-only. */
#ifndef SC_TESTPY_H
#define SC_TESTPY_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sc_tbuf.h"
#include "sc_test.h"

/* script: relative to the source root (ctest's working directory) */
static inline void sc_test_run_check(const char *script)
{
    if (access(script, R_OK) != 0) {
        printf("SKIP differential check: %s not found (run from the source root)\n", script);
        return;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        SC_FAIL("readlink /proc/self/exe failed");
    self[n] = '\0';
    const char *py = getenv("SC_PYTHON");
    if (py == NULL || *py == '\0')
        py = "python3";
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        SC_FAIL("fork failed");
    if (pid == 0) {
        execlp(py, py, script, self, (char *)NULL);
        printf("SKIP differential check: cannot run %s\n", py); /* no interpreter at all */
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        SC_FAIL("waitpid failed");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        SC_FAIL("%s failed (status %d)", script, status);
}

/* The `--cases FILE` side: each line of FILE to run_case, which appends its answer line to out;
 * the answers go to stdout. Needs sc_tbuf.h. Returns 0. */
static inline int sc_test_cases_mode(const char *path, void (*run_case)(tbuf *out, char *line))
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        SC_FAIL("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    tbuf out = {0};
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        run_case(&out, line);
        if (out.len > (1 << 20)) { /* in pieces: the answers can be large */
            if (fwrite(out.p, 1, out.len, stdout) != out.len)
                SC_FAIL("write failed");
            out.len = 0;
        }
    }
    free(line);
    fclose(f);
    if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
        SC_FAIL("write failed");
    tb_free(&out);
    return 0;
}

#endif
