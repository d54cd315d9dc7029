/* Tests of sc_config: argparse-compatible flags, environment defaults, error texts (captured
 * from the original's argparse on Python 3.11) and the pod annotations file. */
#include "sc_config.h"
#include "sc_test.h"

#include <stdarg.h>
#include <unistd.h>

/* The original's usage block, byte for byte (COLUMNS unset). */
static const char USAGE[] =
    "usage: seldon-core-microservice [-h]\n"
    "                                [--service-type {MODEL,ROUTER,TRANSFORMER,COMBINER,OUTLIER_"
    "DETECTOR}]\n"
    "                                [--persistence [PERSISTENCE]]\n"
    "                                [--parameters PARAMETERS]\n"
    "                                [--log-level {DEBUG,INFO,WARNING,ERROR}]\n"
    "                                [--debug [DEBUG]] [--tracing [TRACING]]\n"
    "                                [--workers WORKERS] [--threads THREADS]\n"
    "                                [--max-requests MAX_REQUESTS]\n"
    "                                [--max-requests-jitter MAX_REQUESTS_JITTER]\n"
    "                                [--keepalive KEEPALIVE]\n"
    "                                [--single-threaded SINGLE_THREADED]\n"
    "                                [--http-port HTTP_PORT]\n"
    "                                [--grpc-port GRPC_PORT]\n"
    "                                [--metrics-port METRICS_PORT]\n"
    "                                [--pidfile PIDFILE]\n"
    "                                [--access-log [ACCESS_LOG]]\n"
    "                                [--grpc-threads GRPC_THREADS]\n"
    "                                [--grpc-workers GRPC_WORKERS]\n"
    "                                interface_name\n";

static const char *const ENV_VARS[] = {
    "PREDICTIVE_UNIT_PARAMETERS", "SELDON_DEBUG", "TRACING", "GUNICORN_WORKERS",
    "GUNICORN_THREADS", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_KEEPALIVE", "FLASK_SINGLE_THREADED", "PREDICTIVE_UNIT_HTTP_SERVICE_PORT",
    "PREDICTIVE_UNIT_GRPC_SERVICE_PORT", "PREDICTIVE_UNIT_METRICS_SERVICE_PORT",
    "GUNICORN_ACCESS_LOG", "GRPC_THREADS", "GRPC_WORKERS", "PREDICTIVE_UNIT_METRICS_ENDPOINT",
    "PAYLOAD_PASSTHROUGH", "FILTER_METRICS_ACCESS_LOGS", "SELDON_LOG_LEVEL", "SC_MAX_BODY_BYTES",
    "SC_ANNOTATIONS_PATH", NULL,
};

static void clear_env(void)
{
    for (int i = 0; ENV_VARS[i] != NULL; i++)
        ASSERT_EQ_INT(unsetenv(ENV_VARS[i]), 0);
}

static void set_env(const char *k, const char *v)
{
    ASSERT_EQ_INT(setenv(k, v, 1), 0);
}

static sc_config cfg;
static char *out_text, *err_text;

/* Parses the NULL-terminated arguments (program name added) into cfg, capturing out and err. */
static int run_v(const char *first, va_list ap)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"seldon-core-microservice";
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
        ASSERT_TRUE(argc < 63);
        argv[argc++] = (char *)a;
    }
    argv[argc] = NULL;
    free(out_text);
    free(err_text);
    size_t on, en;
    FILE *out = open_memstream(&out_text, &on);
    FILE *err = open_memstream(&err_text, &en);
    ASSERT_TRUE(out != NULL && err != NULL);
    sc_config_free(&cfg);
    int rc = sc_config_parse(&cfg, argc, argv, out, err);
    ASSERT_EQ_INT(fclose(out), 0);
    ASSERT_EQ_INT(fclose(err), 0);
    return rc;
}

static int run(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc = run_v(first, ap);
    va_end(ap);
    return rc;
}

/* Parses and expects success with no unknown arguments and nothing printed. */
static void ok(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc = run_v(first, ap);
    va_end(ap);
    if (rc != 0)
        SC_FAIL("parse failed (%d): %s", rc, err_text);
    ASSERT_EQ_INT(cfg.n_unknown, 0);
    ASSERT_EQ_STR(out_text, "");
    ASSERT_EQ_STR(err_text, "");
}

/* Expects exit 2 with the usage block and exactly this error message. */
static void usage_err(const char *msg, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc = run_v(first, ap);
    va_end(ap);
    ASSERT_EQ_INT(rc, 2);
    char expect[4096];
    snprintf(expect, sizeof expect, "%sseldon-core-microservice: error: %s\n", USAGE, msg);
    ASSERT_EQ_STR(err_text, expect);
    ASSERT_EQ_STR(out_text, "");
    ASSERT_TRUE(cfg.unknown == NULL);
}

/* Expects exit 2 with an environment error (no usage block). */
static void env_err(const char *msg, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc = run_v(first, ap);
    va_end(ap);
    ASSERT_EQ_INT(rc, 3);
    char expect[1024];
    snprintf(expect, sizeof expect, "seldon-core-microservice: error: %s\n", msg);
    ASSERT_EQ_STR(err_text, expect);
}

static void expect_unknown(int n, ...)
{
    ASSERT_EQ_INT(cfg.n_unknown, n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        ASSERT_EQ_STR(cfg.unknown[i], va_arg(ap, const char *));
    va_end(ap);
}

static void test_defaults(void)
{
    clear_env();
    ok("MyModel", NULL);
    ASSERT_EQ_STR(cfg.interface_name, "MyModel");
    ASSERT_EQ_STR(cfg.service_type, "MODEL");
    ASSERT_EQ_INT(cfg.persistence, 0);
    ASSERT_EQ_STR(cfg.parameters, "[]");
    ASSERT_EQ_STR(cfg.log_level, "INFO");
    ASSERT_EQ_INT(cfg.log_level_num, 20);
    ASSERT_TRUE(cfg.seldon_log_level == NULL);
    ASSERT_EQ_INT(cfg.debug, 0);
    ASSERT_EQ_INT(cfg.tracing, 0);
    ASSERT_EQ_INT(cfg.workers, 1);
    ASSERT_EQ_INT(cfg.threads, 1);
    ASSERT_EQ_INT(cfg.max_requests, 0);
    ASSERT_EQ_INT(cfg.max_requests_jitter, 0);
    ASSERT_EQ_INT(cfg.keepalive, 2);
    ASSERT_EQ_INT(cfg.single_threaded, 0);
    ASSERT_EQ_INT(cfg.http_port, 9000);
    ASSERT_EQ_INT(cfg.grpc_port, 5000);
    ASSERT_EQ_INT(cfg.metrics_port, 6000);
    ASSERT_TRUE(cfg.pidfile == NULL);
    ASSERT_EQ_INT(cfg.access_log, 0);
    ASSERT_EQ_INT(cfg.grpc_threads, 1);
    ASSERT_EQ_INT(cfg.grpc_workers, 1);
    ASSERT_EQ_STR(cfg.metrics_endpoint, "/metrics");
    ASSERT_EQ_INT(cfg.payload_passthrough, 0);
    ASSERT_EQ_INT(cfg.filter_metrics_access_logs, 1);
    ASSERT_EQ_INT(cfg.grpc_max_message_size, -1);
    ASSERT_EQ_INT(cfg.rest_timeout_ms, -1);
    ASSERT_EQ_INT(cfg.max_body_bytes, 1073741824LL);
}

static void test_every_flag(void)
{
    clear_env();
    ok("pkg.mod.Cls", "--service-type", "OUTLIER_DETECTOR", "--persistence", "1", "--parameters",
       "[{\"name\":\"a\",\"value\":\"1\",\"type\":\"INT\"}]", "--log-level", "ERROR", "--debug",
       "--tracing", "--workers", "3", "--threads", "4", "--max-requests", "100",
       "--max-requests-jitter", "10", "--keepalive", "7", "--single-threaded", "1", "--http-port",
       "9001", "--grpc-port", "5001", "--metrics-port", "6001", "--pidfile", "/tmp/x.pid",
       "--access-log", "--grpc-threads", "8", "--grpc-workers", "0", NULL);
    ASSERT_EQ_STR(cfg.interface_name, "pkg.mod.Cls");
    ASSERT_EQ_STR(cfg.service_type, "OUTLIER_DETECTOR");
    ASSERT_EQ_INT(cfg.persistence, 1);
    ASSERT_EQ_STR(cfg.parameters, "[{\"name\":\"a\",\"value\":\"1\",\"type\":\"INT\"}]");
    ASSERT_EQ_STR(cfg.log_level, "ERROR");
    ASSERT_EQ_INT(cfg.log_level_num, 40);
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.tracing, 1);
    ASSERT_EQ_INT(cfg.workers, 3);
    ASSERT_EQ_INT(cfg.threads, 4);
    ASSERT_EQ_INT(cfg.max_requests, 100);
    ASSERT_EQ_INT(cfg.max_requests_jitter, 10);
    ASSERT_EQ_INT(cfg.keepalive, 7);
    ASSERT_EQ_INT(cfg.single_threaded, 1);
    ASSERT_EQ_INT(cfg.http_port, 9001);
    ASSERT_EQ_INT(cfg.grpc_port, 5001);
    ASSERT_EQ_INT(cfg.metrics_port, 6001);
    ASSERT_EQ_STR(cfg.pidfile, "/tmp/x.pid");
    ASSERT_EQ_INT(cfg.access_log, 1);
    ASSERT_EQ_INT(cfg.grpc_threads, 8);
    ASSERT_EQ_INT(cfg.grpc_workers, 0);
    /* --debug makes FILTER_METRICS_ACCESS_LOGS default to false. */
    ASSERT_EQ_INT(cfg.filter_metrics_access_logs, 0);

    /* Every choice of --service-type and --log-level. */
    const char *types[] = {"MODEL", "ROUTER", "TRANSFORMER", "COMBINER", "OUTLIER_DETECTOR"};
    for (int i = 0; i < 5; i++) {
        ok("M", "--service-type", types[i], NULL);
        ASSERT_EQ_STR(cfg.service_type, types[i]);
    }
    const char *levels[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
    for (int i = 0; i < 4; i++) {
        ok("M", "--log-level", levels[i], NULL);
        ASSERT_EQ_STR(cfg.log_level, levels[i]);
        ASSERT_EQ_INT(cfg.log_level_num, 10 * (i + 1));
    }
    /* The last occurrence wins. */
    ok("M", "--workers", "2", "--workers", "5", NULL);
    ASSERT_EQ_INT(cfg.workers, 5);
}

static void test_env_defaults(void)
{
    clear_env();
    set_env("PREDICTIVE_UNIT_PARAMETERS", "[{\"name\":\"x\"}]");
    set_env("SELDON_DEBUG", "TRUE");
    set_env("TRACING", "1");
    set_env("GUNICORN_WORKERS", "4");
    set_env("GUNICORN_THREADS", "5");
    set_env("GUNICORN_MAX_REQUESTS", "6");
    set_env("GUNICORN_MAX_REQUESTS_JITTER", "7");
    set_env("GUNICORN_KEEPALIVE", "8");
    set_env("FLASK_SINGLE_THREADED", "1");
    set_env("PREDICTIVE_UNIT_HTTP_SERVICE_PORT", "1001");
    set_env("PREDICTIVE_UNIT_GRPC_SERVICE_PORT", "1002");
    set_env("PREDICTIVE_UNIT_METRICS_SERVICE_PORT", "1003");
    set_env("GUNICORN_ACCESS_LOG", "t");
    set_env("GRPC_THREADS", "9");
    set_env("GRPC_WORKERS", " 0 ");
    set_env("PREDICTIVE_UNIT_METRICS_ENDPOINT", "/prometheus");
    set_env("PAYLOAD_PASSTHROUGH", "True");
    set_env("SC_MAX_BODY_BYTES", "1_000");
    ok("M", NULL);
    ASSERT_EQ_STR(cfg.parameters, "[{\"name\":\"x\"}]");
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.tracing, 1);
    ASSERT_EQ_INT(cfg.workers, 4);
    ASSERT_EQ_INT(cfg.threads, 5);
    ASSERT_EQ_INT(cfg.max_requests, 6);
    ASSERT_EQ_INT(cfg.max_requests_jitter, 7);
    ASSERT_EQ_INT(cfg.keepalive, 8);
    ASSERT_EQ_INT(cfg.single_threaded, 1);
    ASSERT_EQ_INT(cfg.http_port, 1001);
    ASSERT_EQ_INT(cfg.grpc_port, 1002);
    ASSERT_EQ_INT(cfg.metrics_port, 1003);
    ASSERT_EQ_INT(cfg.access_log, 1);
    ASSERT_EQ_INT(cfg.grpc_threads, 9);
    ASSERT_EQ_INT(cfg.grpc_workers, 0);
    ASSERT_EQ_STR(cfg.metrics_endpoint, "/prometheus");
    ASSERT_EQ_INT(cfg.payload_passthrough, 1);
    ASSERT_EQ_INT(cfg.filter_metrics_access_logs, 0); /* not debug */
    ASSERT_EQ_INT(cfg.max_body_bytes, 1000);

    /* Flags override the environment. */
    ok("M", "--parameters", "[]", "--debug", "0", "--tracing", "0", "--workers", "2",
       "--threads", "2", "--max-requests", "0", "--max-requests-jitter", "0", "--keepalive", "1",
       "--single-threaded", "0", "--http-port", "1", "--grpc-port", "2", "--metrics-port", "3",
       "--access-log", "no", "--grpc-threads", "1", "--grpc-workers", "3", NULL);
    ASSERT_EQ_STR(cfg.parameters, "[]");
    ASSERT_EQ_INT(cfg.debug, 0);
    ASSERT_EQ_INT(cfg.tracing, 0);
    ASSERT_EQ_INT(cfg.workers, 2);
    ASSERT_EQ_INT(cfg.threads, 2);
    ASSERT_EQ_INT(cfg.max_requests, 0);
    ASSERT_EQ_INT(cfg.max_requests_jitter, 0);
    ASSERT_EQ_INT(cfg.keepalive, 1);
    ASSERT_EQ_INT(cfg.single_threaded, 0);
    ASSERT_EQ_INT(cfg.http_port, 1);
    ASSERT_EQ_INT(cfg.grpc_port, 2);
    ASSERT_EQ_INT(cfg.metrics_port, 3);
    ASSERT_EQ_INT(cfg.access_log, 0);
    ASSERT_EQ_INT(cfg.grpc_threads, 1);
    ASSERT_EQ_INT(cfg.grpc_workers, 3);
    ASSERT_EQ_INT(cfg.filter_metrics_access_logs, 1); /* debug false again */

    /* FILTER_METRICS_ACCESS_LOGS, when set, wins over the debug-derived default. */
    set_env("FILTER_METRICS_ACCESS_LOGS", "1");
    ok("M", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.filter_metrics_access_logs, 1);
    set_env("FILTER_METRICS_ACCESS_LOGS", "no");
    ok("M", "--debug", "false", NULL);
    ASSERT_EQ_INT(cfg.filter_metrics_access_logs, 0);

    /* An empty endpoint variable is kept, as os.environ.get would. */
    set_env("PREDICTIVE_UNIT_METRICS_ENDPOINT", "");
    ok("M", NULL);
    ASSERT_EQ_STR(cfg.metrics_endpoint, "");
    clear_env();
}

static void test_bools(void)
{
    const char *yes[] = {"1", "true", "TRUE", "True", "t", "T", "tRuE"};
    const char *no[] = {"0", "false", "f", "yes", "y", "on", "", " 1", "1 ", "2", "tru", "truee"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ASSERT_EQ_INT(sc_config_parse_bool(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ASSERT_EQ_INT(sc_config_parse_bool(no[i]), 0);
    ASSERT_EQ_INT(sc_config_parse_bool(NULL), 0);

    clear_env();
    /* SPEC decision 4: `--debug 0` is false (the original's bool("0") is True). */
    ok("M", "--debug", "0", NULL);
    ASSERT_EQ_INT(cfg.debug, 0);
    ok("M", "--debug", "t", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ok("M", "--debug=TRUE", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ok("M", "--debug=", NULL);
    ASSERT_EQ_INT(cfg.debug, 0);
    ok("M", "--access-log", "yes", NULL);
    ASSERT_EQ_INT(cfg.access_log, 0);
    ok("M", "--access-log", "1", NULL);
    ASSERT_EQ_INT(cfg.access_log, 1);
    set_env("SELDON_DEBUG", "yes");
    set_env("GUNICORN_ACCESS_LOG", "0");
    set_env("PAYLOAD_PASSTHROUGH", "on");
    ok("M", NULL);
    ASSERT_EQ_INT(cfg.debug, 0);
    ASSERT_EQ_INT(cfg.access_log, 0);
    ASSERT_EQ_INT(cfg.payload_passthrough, 0);
    set_env("SELDON_DEBUG", "t");
    set_env("GUNICORN_ACCESS_LOG", "True");
    set_env("PAYLOAD_PASSTHROUGH", "1");
    ok("M", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.access_log, 1);
    ASSERT_EQ_INT(cfg.payload_passthrough, 1);
    clear_env();
}

static void test_prefixes_and_equals(void)
{
    clear_env();
    ok("M", "--work", "3", NULL);
    ASSERT_EQ_INT(cfg.workers, 3);
    ok("M", "--w=4", NULL);
    ASSERT_EQ_INT(cfg.workers, 4);
    ok("M", "--workers=5", NULL);
    ASSERT_EQ_INT(cfg.workers, 5);
    ok("M", "--grpc-w", "2", "--grpc-t", "3", "--grpc-p", "4", NULL);
    ASSERT_EQ_INT(cfg.grpc_workers, 2);
    ASSERT_EQ_INT(cfg.grpc_threads, 3);
    ASSERT_EQ_INT(cfg.grpc_port, 4);
    /* An exact name wins over the longer one it prefixes. */
    ok("M", "--max-requests", "1", "--max-requests-j", "2", "--me", "3", NULL);
    ASSERT_EQ_INT(cfg.max_requests, 1);
    ASSERT_EQ_INT(cfg.max_requests_jitter, 2);
    ASSERT_EQ_INT(cfg.metrics_port, 3);
    /* (a '?' option right before the positional would take it as its value) */
    ok("M", "--se", "ROUTER", "--pa", "[1]", "--pi", "p", "--pe", "--th", "2", "--ht", "1", "--k",
       "3", "--si", "1", "--ac", "--l", "DEBUG", "--d", "--tr", NULL);
    ASSERT_EQ_STR(cfg.service_type, "ROUTER");
    ASSERT_EQ_STR(cfg.parameters, "[1]");
    ASSERT_EQ_STR(cfg.pidfile, "p");
    ASSERT_EQ_INT(cfg.persistence, 1);
    ASSERT_EQ_INT(cfg.threads, 2);
    ASSERT_EQ_INT(cfg.http_port, 1);
    ASSERT_EQ_INT(cfg.keepalive, 3);
    ASSERT_EQ_INT(cfg.single_threaded, 1);
    ASSERT_EQ_INT(cfg.access_log, 1);
    ASSERT_EQ_STR(cfg.log_level, "DEBUG");
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.tracing, 1);
    usage_err("ambiguous option: --t could match --tracing, --threads", "M", "--t", NULL);
    /* "=value" keeps everything after the first '=' and may be empty or start with '-'. */
    ok("M", "--parameters=a=b", "--pidfile=-x", NULL);
    ASSERT_EQ_STR(cfg.parameters, "a=b");
    ASSERT_EQ_STR(cfg.pidfile, "-x");
    ok("M", "--pidfile=", NULL);
    ASSERT_EQ_STR(cfg.pidfile, "");
}

static void test_optional_values(void)
{
    clear_env();
    ok("M", "--tracing", NULL);
    ASSERT_EQ_INT(cfg.tracing, 1);
    ok("M", "--tracing", "5", NULL);
    ASSERT_EQ_INT(cfg.tracing, 5);
    /* A negative number is a value, not an option. */
    ok("M", "--tracing", "-3", NULL);
    ASSERT_EQ_INT(cfg.tracing, -3);
    ok("M", "--persistence", NULL);
    ASSERT_EQ_INT(cfg.persistence, 1);
    ok("M", "--persistence", "0", NULL);
    ASSERT_EQ_INT(cfg.persistence, 0);
    /* Followed by an option: the const, and the option is parsed. */
    ok("M", "--debug", "--workers", "2", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.workers, 2);
    /* A '?' option before the positional swallows it (argparse does the same)... */
    ASSERT_EQ_INT(run("--debug", "M", NULL), 2);
    ASSERT_TRUE(strstr(err_text, "the following arguments are required: interface_name"));
    /* ...unless "--" ends the options. */
    ok("--debug", "--", "M", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_STR(cfg.interface_name, "M");
    ok("M", "--debug=--", "--tracing=--", NULL);
    ASSERT_EQ_INT(cfg.debug, 1);
    ASSERT_EQ_INT(cfg.tracing, 1);
    /* Values with a space or a lone '-' are values too. */
    ok("M", "--parameters", "-a b", NULL);
    ASSERT_EQ_STR(cfg.parameters, "-a b");
    ok("M", "--parameters", "-", NULL);
    ASSERT_EQ_STR(cfg.parameters, "-");
    ok("M", "--parameters", "-.5", NULL);
    ASSERT_EQ_STR(cfg.parameters, "-.5");
}

static void test_int_syntax(void)
{
    clear_env();
    struct {
        const char *text;
        int value;
    } good[] = {{" +5 ", 5}, {"1_0", 10}, {"007", 7}, {"-0", 0}, {"\t12\n", 12},
                {"\xd9\xa3", 3} /* ARABIC-INDIC DIGIT THREE */, {"\xe3\x80\x80" "7\xc2\xa0", 7},
                {"2147483647", 2147483647}, {"-2147483648", -2147483647 - 1}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ok("M", "--workers", good[i].text, NULL);
        ASSERT_EQ_INT(cfg.workers, good[i].value);
    }
    const char *bad[] = {"x", "5.0", "1__0", "_1", "1_", "0x5", "+ 5", "", " ", "\x1c" "5", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ_INT(run("M", "--workers", bad[i], NULL), 2);
        ASSERT_TRUE(strstr(err_text, "error: argument --workers: invalid int value: '") != NULL);
    }
    /* Python has no limit; a C int has: say so rather than wrap around. */
    usage_err("argument --workers: int value out of range: '2147483648'", "M", "--workers",
              "2147483648", NULL);
}

static void test_errors(void)
{
    clear_env();
    usage_err("the following arguments are required: interface_name", NULL);
    usage_err("the following arguments are required: interface_name", "--workers", "2", NULL);
    usage_err("ambiguous option: --gr could match --grpc-port, --grpc-threads, --grpc-workers", "M",
              "--gr", "1", NULL);
    usage_err("ambiguous option: --gr=1 could match --grpc-port, --grpc-threads, --grpc-workers",
              "M", "--gr=1", NULL);
    usage_err("ambiguous option: --h could match --help, --http-port", "M", "--h", NULL);
    usage_err("ambiguous option: --m could match --max-requests, --max-requests-jitter, "
              "--metrics-port",
              "M", "--m", "1", NULL);
    usage_err("ambiguous option: --p could match --persistence, --parameters, --pidfile", "M",
              "--p", "x", NULL);
    usage_err("ambiguous option: --s could match --service-type, --single-threaded", "M", "--s",
              "x", NULL);
    usage_err("argument --workers: expected one argument", "M", "--workers", NULL);
    usage_err("argument --workers: expected one argument", "M", "--workers", "-x", NULL);
    usage_err("argument --workers: expected one argument", "M", "--workers", "--", "3", NULL);
    usage_err("argument --pidfile: expected one argument", "M", "--pidfile", NULL);
    usage_err("argument --workers: invalid int value: 'x'", "M", "--workers", "x", NULL);
    usage_err("argument --workers: invalid int value: ''", "M", "--workers=", NULL);
    usage_err("argument --tracing: invalid int value: 'x'", "M", "--tracing", "x", NULL);
    usage_err("argument --persistence: invalid int value: ''", "M", "--persistence=", NULL);
    usage_err("argument --service-type: invalid choice: 'FOO' (choose from 'MODEL', 'ROUTER', "
              "'TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR')",
              "M", "--service-type", "FOO", NULL);
    usage_err("argument --service-type: invalid choice: \"it's\" (choose from 'MODEL', 'ROUTER', "
              "'TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR')",
              "M", "--service-type", "it's", NULL);
    usage_err("argument --service-type: invalid choice: 'a\"b\\'c\\\\d\\te' (choose from 'MODEL', "
              "'ROUTER', 'TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR')",
              "M", "--service-type", "a\"b'c\\d\te", NULL);
    usage_err("argument --service-type: invalid choice: '\\udcff\\x01\\xad\xc3\xa9' (choose from "
              "'MODEL', 'ROUTER', 'TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR')",
              "M", "--service-type", "\xff\x01\xc2\xad\xc3\xa9", NULL);
    usage_err("argument --log-level: invalid choice: 'debug' (choose from 'DEBUG', 'INFO', "
              "'WARNING', 'ERROR')",
              "M", "--log-level", "debug", NULL);
    usage_err("argument -h/--help: ignored explicit argument 'x'", "M", "-hx", NULL);
    usage_err("argument -h/--help: ignored explicit argument 'x'", "M", "-hhx", NULL);
    usage_err("argument -h/--help: ignored explicit argument 'x'", "M", "--help=x", NULL);
    usage_err("argument -h/--help: ignored explicit argument 'x'", "M", "--he=x", NULL);
    usage_err("argument -h/--help: ignored explicit argument ''", "M", "-h=", NULL);
    /* Errors are reported in argument order: help after an error is too late, and an
     * ambiguous prefix anywhere beats an earlier help. */
    usage_err("argument --workers: invalid int value: 'x'", "--workers", "x", "-h", NULL);
    usage_err("ambiguous option: --gr could match --grpc-port, --grpc-threads, --grpc-workers",
              "-h", "--gr", "1", NULL);
    usage_err("ambiguous option: --=x could match --help, --service-type, --persistence, "
              "--parameters, --log-level, --debug, --tracing, --workers, --threads, "
              "--max-requests, --max-requests-jitter, --keepalive, --single-threaded, "
              "--http-port, --grpc-port, --metrics-port, --pidfile, --access-log, "
              "--grpc-threads, --grpc-workers",
              "--=x", "M", NULL);
    /* No argv at all (argc 0) is just a missing positional. */
    FILE *devnull = fopen("/dev/null", "w");
    ASSERT_TRUE(devnull != NULL);
    sc_config_free(&cfg);
    ASSERT_EQ_INT(sc_config_parse(&cfg, 0, NULL, devnull, devnull), 2);
    ASSERT_EQ_INT(fclose(devnull), 0);
    /* "--opt=--" has no value for a one-value option (argparse would store an empty list). */
    usage_err("argument --workers: expected one argument", "M", "--workers=--", NULL);
}

static void test_env_errors(void)
{
    const char *int_envs[] = {"TRACING", "GUNICORN_WORKERS", "GUNICORN_THREADS",
                              "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER",
                              "GUNICORN_KEEPALIVE", "FLASK_SINGLE_THREADED",
                              "PREDICTIVE_UNIT_HTTP_SERVICE_PORT",
                              "PREDICTIVE_UNIT_GRPC_SERVICE_PORT",
                              "PREDICTIVE_UNIT_METRICS_SERVICE_PORT"};
    for (size_t i = 0; i < sizeof int_envs / sizeof int_envs[0]; i++) {
        clear_env();
        set_env(int_envs[i], "x");
        char msg[256];
        snprintf(msg, sizeof msg, "environment variable %s: invalid int value: 'x'", int_envs[i]);
        /* Like the original, even when the flag is given or help is asked for. */
        env_err(msg, "M", NULL);
        env_err(msg, "-h", NULL);
    }
    clear_env();
    set_env("GUNICORN_WORKERS", "");
    env_err("environment variable GUNICORN_WORKERS: invalid int value: ''", "M", "--workers", "2",
            NULL);
    set_env("GUNICORN_WORKERS", "99999999999");
    env_err("environment variable GUNICORN_WORKERS: int value out of range: '99999999999'", "M",
            NULL);

    /* GRPC_*: argparse converts these itself, only when the flag is absent. */
    clear_env();
    set_env("GRPC_WORKERS", "x");
    usage_err("argument --grpc-workers: invalid int value: 'x'", "M", NULL);
    usage_err("argument --grpc-workers: invalid int value: 'x'", NULL); /* before "required" */
    ok("M", "--grpc-workers", "2", NULL);
    ASSERT_EQ_INT(cfg.grpc_workers, 2);
    set_env("GRPC_THREADS", "y");
    usage_err("argument --grpc-threads: invalid int value: 'y'", "M", NULL);

    /* SELDON_LOG_LEVEL: the names Python's logging knows, exact case. */
    clear_env();
    struct {
        const char *name;
        int num;
    } levels[] = {{"CRITICAL", 50}, {"FATAL", 50}, {"ERROR", 40}, {"WARNING", 30},
                  {"WARN", 30},     {"INFO", 20},  {"DEBUG", 10}, {"NOTSET", 0}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        set_env("SELDON_LOG_LEVEL", levels[i].name);
        ok("M", "--log-level", "ERROR", NULL);
        ASSERT_EQ_STR(cfg.seldon_log_level, levels[i].name);
        ASSERT_EQ_STR(cfg.log_level, "ERROR");
        ASSERT_EQ_INT(cfg.log_level_num, levels[i].num);
    }
    const char *bad_levels[] = {"debug", "", "VERBOSE", " INFO"};
    for (size_t i = 0; i < sizeof bad_levels / sizeof bad_levels[0]; i++) {
        set_env("SELDON_LOG_LEVEL", bad_levels[i]);
        ASSERT_EQ_INT(run("M", NULL), 3);
        ASSERT_TRUE(strncmp(err_text, "seldon-core-microservice: error: ", 33) == 0);
        ASSERT_TRUE(strstr(err_text, "environment variable SELDON_LOG_LEVEL: invalid log level"));
    }
    /* Unknown arguments come first (the caller exits 255 before logging is set up). */
    set_env("SELDON_LOG_LEVEL", "debug");
    ASSERT_EQ_INT(run("M", "REST", NULL), 0);
    ASSERT_EQ_INT(cfg.n_unknown, 1);

    clear_env();
    const char *bad_sizes[] = {"0", "-1", "1G", "", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        set_env("SC_MAX_BODY_BYTES", bad_sizes[i]);
        ASSERT_EQ_INT(run("M", NULL), 3);
        ASSERT_TRUE(strstr(err_text, "environment variable SC_MAX_BODY_BYTES") != NULL);
    }
    clear_env();
}

static void test_help(void)
{
    clear_env();
    const char *forms[] = {"-h", "--help", "--he", "--hel", "-hh"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        ASSERT_EQ_INT(run(forms[i], NULL), 1);
        ASSERT_EQ_STR(err_text, "");
        ASSERT_TRUE(strncmp(out_text, USAGE, strlen(USAGE)) == 0);
    }
    /* Help wins over a missing positional and over later bad values. */
    ASSERT_EQ_INT(run("-h", "--workers", "x", NULL), 1);
    ASSERT_EQ_INT(run("M", "--workers", "2", "--help", "extra", NULL), 1);
    ASSERT_TRUE(cfg.unknown == NULL);
    const char *must[] = {"\npositional arguments:\n  interface_name  ",
                          "\noptions:\n  -h, --help            show this help message and exit\n",
                          "  --service-type {MODEL,ROUTER,TRANSFORMER,COMBINER,OUTLIER_DETECTOR}\n",
                          "  --persistence [PERSISTENCE]\n",
                          "  --parameters PARAMETERS\n",
                          "  --log-level {DEBUG,INFO,WARNING,ERROR}\n",
                          "  --debug [DEBUG]       ",
                          "  --tracing [TRACING]   ",
                          "  --workers WORKERS     ",
                          "  --threads THREADS     ",
                          "  --max-requests MAX_REQUESTS\n",
                          "  --max-requests-jitter MAX_REQUESTS_JITTER\n",
                          "  --keepalive KEEPALIVE\n",
                          "  --single-threaded SINGLE_THREADED\n",
                          "  --http-port HTTP_PORT\n",
                          "  --grpc-port GRPC_PORT\n",
                          "  --metrics-port METRICS_PORT\n",
                          "  --pidfile PIDFILE     ",
                          "  --access-log [ACCESS_LOG]\n",
                          "  --grpc-threads GRPC_THREADS\n",
                          "  --grpc-workers GRPC_WORKERS\n"};
    ASSERT_EQ_INT(run("-h", NULL), 1);
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        if (strstr(out_text, must[i]) == NULL)
            SC_FAIL("help lacks \"%s\":\n%s", must[i], out_text);
    }
    /* Every environment variable is named (help text may wrap between words only). */
    for (int i = 0; ENV_VARS[i] != NULL; i++) {
        if (strcmp(ENV_VARS[i], "SELDON_LOG_LEVEL") == 0)
            continue; /* mentioned in --log-level's text */
        if (strstr(ENV_VARS[i], "METRICS_ENDPOINT") || strstr(ENV_VARS[i], "PASSTHROUGH") ||
            strstr(ENV_VARS[i], "FILTER_") || strstr(ENV_VARS[i], "SC_"))
            continue; /* environment-only: in the reference, not in --help */
        if (strstr(out_text, ENV_VARS[i]) == NULL)
            SC_FAIL("help lacks %s", ENV_VARS[i]);
    }
    /* No line wider than argparse's 78 columns, except the long invocations it never wraps. */
    for (const char *p = out_text; *p;) {
        const char *e = strchr(p, '\n');
        ASSERT_TRUE(e != NULL);
        if (e - p > 78 && memmem(p, (size_t)(e - p), "OUTLIER_DETECTOR", 16) == NULL)
            SC_FAIL("help line too long: %.*s", (int)(e - p), p);
        p = e + 1;
    }
}

static void test_unknown(void)
{
    clear_env();
    ASSERT_EQ_INT(run("MyModel", "REST", NULL), 0);
    ASSERT_EQ_STR(cfg.interface_name, "MyModel");
    expect_unknown(1, "REST");
    ASSERT_EQ_STR(err_text, "");
    ASSERT_EQ_INT(run("MyModel", "REST", "GRPC", NULL), 0);
    expect_unknown(2, "REST", "GRPC");
    ASSERT_EQ_INT(run("M", "--foo=bar", "--workers", "2", NULL), 0);
    expect_unknown(1, "--foo=bar");
    ASSERT_EQ_INT(cfg.workers, 2);
    ASSERT_EQ_INT(run("M", "--foo", "bar", NULL), 0);
    expect_unknown(2, "--foo", "bar");
    /* The positional is the first free value, wherever it is. */
    ASSERT_EQ_INT(run("--foo", "bar", "M", "--workers", "2", NULL), 0);
    ASSERT_EQ_STR(cfg.interface_name, "bar");
    expect_unknown(2, "--foo", "M");
    ASSERT_EQ_INT(run("-x", "M", "-1", NULL), 0);
    ASSERT_EQ_STR(cfg.interface_name, "M");
    expect_unknown(2, "-x", "-1");
    ASSERT_EQ_INT(run("M", "x", "--", "y", NULL), 0);
    expect_unknown(3, "x", "--", "y");
    ASSERT_EQ_INT(run("--workers", "2", "--", "M", "extra", NULL), 0);
    ASSERT_EQ_STR(cfg.interface_name, "M");
    expect_unknown(1, "extra");
    ASSERT_EQ_INT(run("--", "--", "M", NULL), 0);
    ASSERT_EQ_STR(cfg.interface_name, "--");
    expect_unknown(1, "M");
    ASSERT_EQ_INT(run("--", "-h", NULL), 0);
    ASSERT_EQ_STR(cfg.interface_name, "-h");
    ASSERT_EQ_INT(run("M", "--service-type", "MODEL", "extra", "--workers", "3", "more", NULL), 0);
    expect_unknown(2, "extra", "more");
    ASSERT_EQ_INT(cfg.workers, 3);
    ASSERT_EQ_INT(run("M", "-w", "3", NULL), 0);
    expect_unknown(2, "-w", "3");

    ASSERT_EQ_INT(run("M", "REST", "it's", "--x=\"", "\\", NULL), 0);
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ_INT(sc_config_write_unknown(&cfg, f), 0);
    ASSERT_EQ_INT(fclose(f), 0);
    ASSERT_EQ_STR(text, "['REST', \"it's\", '--x=\"', '\\\\']");
    free(text);
    sc_config_free(&cfg);
    ASSERT_TRUE(cfg.unknown == NULL && cfg.n_unknown == 0);
    sc_config_free(&cfg); /* twice is fine */
}

/* Writes content to a temporary annotations file, loads it, returns the log text. */
static char *annotations(const char *content, size_t n)
{
    char path[] = "/tmp/sc_config_annXXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(write(fd, content, n), (long long)n);
    ASSERT_EQ_INT(close(fd), 0);
    set_env("SC_ANNOTATIONS_PATH", path);
    ok("M", NULL);
    char *log = NULL;
    size_t len;
    FILE *f = open_memstream(&log, &len);
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ_INT(sc_config_load_annotations(&cfg, f), 0);
    ASSERT_EQ_INT(fclose(f), 0);
    ASSERT_EQ_INT(unlink(path), 0);
    return log;
}

static void test_annotations(void)
{
    clear_env();
    /* The SPEC examples, with our two annotations in the same shapes. */
    static const char spec[] = "foo=\"bar\"\n"
                               " foo  =   \"bar\"  \n"
                               "key=  \"assign===\"\n"
                               "seldon.io/grpc-max-message-size=\"10485760\"\n"
                               "  seldon.io/rest-timeout  =   \"1500\"  \n";
    char *log = annotations(spec, sizeof spec - 1);
    ASSERT_EQ_STR(log, "");
    ASSERT_EQ_INT(cfg.grpc_max_message_size, 10485760);
    ASSERT_EQ_INT(cfg.rest_timeout_ms, 1500);
    free(log);

    /* Lines without '=' (the empty one too) are logged and skipped; CRLF and CR end lines; the
     * last line needs no newline; first and last characters go whatever they are. */
    static const char messy[] = "noequals  \r\n"
                                "\n"
                                "seldon.io/rest-timeout=x2_000y\r"
                                "seldon.io/grpc-max-message-size=\xc3\xa9" "42\xc3\xa9\n"
                                "other=\"v\"\n"
                                "tail";
    log = annotations(messy, sizeof messy - 1);
    ASSERT_EQ_STR(log, "Bad annotation: noequals\nBad annotation: \nBad annotation: tail\n");
    ASSERT_EQ_INT(cfg.rest_timeout_ms, 2000);
    ASSERT_EQ_INT(cfg.grpc_max_message_size, 42);
    free(log);

    /* Unusable numbers are logged and ignored. */
    static const char bad[] = "seldon.io/rest-timeout=\"5s\"\n"
                              "seldon.io/grpc-max-message-size=\"-1\"\n"
                              "seldon.io/rest-timeout=\"\"\n";
    log = annotations(bad, sizeof bad - 1);
    ASSERT_EQ_INT(cfg.rest_timeout_ms, -1);
    ASSERT_EQ_INT(cfg.grpc_max_message_size, -1);
    ASSERT_TRUE(strstr(log, "seldon.io/rest-timeout") != NULL);
    ASSERT_TRUE(strstr(log, ": 5s\n") != NULL);
    ASSERT_TRUE(strstr(log, "seldon.io/grpc-max-message-size") != NULL);
    free(log);

    /* The last of repeated keys wins; an empty file is fine. */
    static const char twice[] = "seldon.io/rest-timeout='1'\nseldon.io/rest-timeout='20'\n";
    log = annotations(twice, sizeof twice - 1);
    ASSERT_EQ_INT(cfg.rest_timeout_ms, 20);
    free(log);
    log = annotations("", 0);
    ASSERT_EQ_STR(log, "");
    ASSERT_EQ_INT(cfg.rest_timeout_ms, -1);
    free(log);

    /* A missing file or a directory: silently nothing. */
    set_env("SC_ANNOTATIONS_PATH", "/nonexistent/annotations");
    ok("M", NULL);
    ASSERT_EQ_INT(sc_config_load_annotations(&cfg, stderr), 0);
    ASSERT_EQ_INT(cfg.grpc_max_message_size, -1);
    set_env("SC_ANNOTATIONS_PATH", "/tmp");
    ASSERT_EQ_INT(sc_config_load_annotations(&cfg, stderr), 0);
    ASSERT_EQ_INT(cfg.rest_timeout_ms, -1);
    clear_env();
}

static void test_reference(void)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    ASSERT_TRUE(f != NULL);
    sc_config_write_reference(f);
    ASSERT_EQ_INT(fclose(f), 0);
    const char *must[] = {"| Flag | Environment variable | Type | Default | Meaning |",
                          "| `interface_name` (positional, required) |",
                          "| `--workers` | `GUNICORN_WORKERS` | int | `1` |",
                          "| `--grpc-workers` | `GRPC_WORKERS` | int | `1` |",
                          "| `--debug` | `SELDON_DEBUG` | bool; value optional, bare flag = `true` |",
                          "| `--tracing` | `TRACING` | int; value optional, bare flag = `1` |",
                          "| `--service-type` | – | one of `MODEL`, `ROUTER`",
                          "| `--pidfile` | – | str | – |",
                          "| `SC_MAX_BODY_BYTES` | int | 1073741824 |",
                          "`seldon.io/grpc-max-message-size`",
                          "`seldon.io/rest-timeout`"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        if (strstr(text, must[i]) == NULL)
            SC_FAIL("reference lacks \"%s\":\n%s", must[i], text);
    }
    for (int i = 0; ENV_VARS[i] != NULL; i++) {
        if (strstr(text, ENV_VARS[i]) == NULL)
            SC_FAIL("reference lacks %s", ENV_VARS[i]);
    }
    free(text);
}

int main(void)
{
    test_defaults();
    test_every_flag();
    test_env_defaults();
    test_bools();
    test_prefixes_and_equals();
    test_optional_values();
    test_int_syntax();
    test_errors();
    test_env_errors();
    test_help();
    test_unknown();
    test_annotations();
    test_reference();
    sc_config_free(&cfg);
    free(out_text);
    free(err_text);
    printf("test_sc_config: ok\n");
    return 0;
}
