/* seldon-core-c-server: entry point. Parses the configuration, binds the REST port, starts the
 * embedded Python (constructing the user's class once), then becomes the master that forks
 * and supervises the workers (or, with --debug, serves in this one process). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_config.h"
#include "sc_log.h"
#include "sc_master.h"
#include "sc_metrics.h"
#include "sc_metrics_builtin.h"
#include "sc_pyembed.h"
#include "sc_worker.h"

int main(int argc, char **argv)
{
    sc_config cfg;
    int rc = sc_config_parse(&cfg, argc, argv, stdout, stderr);
    if (rc == 1)
        return 0;
    if (rc == 3)
        return 1; /* a bad environment value: the original dies with a traceback, status 1 */
    if (rc != 0)
        return rc;
    const char *level = cfg.seldon_log_level ? cfg.seldon_log_level : cfg.log_level;
    if (level && sc_log_set_level_name(level) != 0)
        SC_WARN("unknown log level %s", level);
    SC_INFO("Starting microservice.py:main");
    if (cfg.n_unknown > 0) {
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        int ok = mem != NULL && sc_config_write_unknown(&cfg, mem) == 0;
        if (mem != NULL && fclose(mem) != 0)
            ok = 0;
        if (!ok) {
            SC_ERROR("Unknown args. Note since 1.5.0 this CLI does not take API type (REST, GRPC)");
        } else {
            SC_ERROR("Unknown args %s. Note since 1.5.0 this CLI does not take API type (REST, GRPC)", text);
        }
        free(text);
        return 255;
    }
    if (cfg.persistence)
        SC_ERROR("Persistence: ignored, persistence is deprecated");
    sc_config_load_annotations(&cfg, stderr);

    int fd = sc_listen_tcp(cfg.http_port, 0);
    if (fd < 0) {
        SC_ERROR("cannot listen on 0.0.0.0:%d: %s", cfg.http_port, strerror(-fd));
        return 1;
    }
    int metrics_fd = sc_listen_tcp(cfg.metrics_port, 0);
    if (metrics_fd < 0) {
        SC_ERROR("cannot listen on 0.0.0.0:%d: %s", cfg.metrics_port, strerror(-metrics_fd));
        return 1;
    }
    sc_builtin_init();
    /* The metric store must exist before the first fork so every worker shares it. */
    rc = sc_metrics_init(0);
    if (rc != 0) {
        SC_ERROR("cannot create the metric store: %s", strerror(-rc));
        return 1;
    }
    if (sc_py_init(&cfg, argc, argv) != 0)
        return 1;

    if (cfg.debug) {
        /* One process in the foreground, no fork: breakpoints and pdb work. */
        SC_INFO("Debug mode: serving in this process on port %d", cfg.http_port);
        rc = sc_metrics_http_start_thread(metrics_fd, cfg.metrics_endpoint);
        if (rc != 0) {
            SC_ERROR("cannot serve metrics on port %d: %s", cfg.metrics_port, strerror(-rc));
            return 1;
        }
        sc_py_acquire();
        rc = sc_worker_run(&cfg, fd, 0, 0);
    } else {
        rc = sc_master_run(&cfg, fd, metrics_fd);
    }
    sc_config_free(&cfg);
    return rc;
}
