#include "sc_hconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "sc_log.h"

/* How long a client may leave an answer unread before its connection is dropped, and how long
 * a closing connection keeps discarding what the client still sends. */
#define SC_WRITE_TIMEOUT_S 30
#define SC_LINGER_MS 2000
/* Reads while looking for a head are at most gunicorn's recv size, so a request line without an
 * end is reported with the same size gunicorn reports. */
#define SC_HEAD_READ 8192
#define SC_BODY_READ 65536
/* Bytes a client may send ahead (pipelining) while its request is in the application. */
#define SC_AHEAD_MAX (256 * 1024)
#define SC_ACCEPT_BURST 8
/* A Content-Length body is allocated up to this size at once, then grown as it arrives: a
 * client announcing a large body and sending nothing costs no memory. */
#define SC_BODY_FIRST (1024 * 1024)
/* An input buffer grown past this by a large head is released once empty. */
#define SC_IN_KEEP 16384

/* HEAD: waiting for (more of) a head; BODY/CHUNKED: reading a body; BUSY: the request is in
 * the application; PAGE: an error page is being written, then LINGER. */
enum { SC_C_HEAD, SC_C_BODY, SC_C_CHUNKED, SC_C_BUSY, SC_C_PAGE, SC_C_LINGER };

struct sc_hsrv {
    sc_hsrv_opts o;
    struct event_base *base;
    struct event *accept_ev;
    struct event *accept_retry;
    int accepting;
    char *allow_ips;       /* FORWARDED_ALLOW_IPS, comma-separated, "*" for any */
};

typedef struct sc_hconn {
    sc_hsrv *srv;
    int fd;
    int state;
    struct event *rev, *wev, *tev;
    int reading;           /* rev is added */
    char *in;              /* bytes read and not consumed */
    size_t in_len, in_cap;
    sc_h1_scan scan;
    double head_started;   /* monotonic seconds of the first byte of the request being read */
    sc_hreq *req;          /* being read, or in the application */
    long long body_got;    /* Content-Length body: bytes in req->body */
    long long body_cap;    /* and its allocation, grown as bytes arrive */
    sc_h1_chunked ch;
    sc_buf chbody;
    struct evbuffer *out;
    int close_after;       /* close once out is written */
    int peer_eof;
    int in_process;        /* inside sc_hc_process: closing is deferred to its end */
    int dead;
    int trusted;           /* the peer is in FORWARDED_ALLOW_IPS (gunicorn's forwarded_allow_ips) */
    char peer[64];
} sc_hconn;

static double sc_hc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sc_hc_process(sc_hconn *c);
static void sc_hc_flush(sc_hconn *c);

/* --- requests -------------------------------------------------------------------------------- */

static void sc_hreq_free(sc_hreq *r)
{
    free(r->head);
    free(r->body);
    sc_buf_free(&r->out_headers);
    sc_h1_error_free(&r->err);
    free(r);
}

const char *sc_hreq_header(const sc_hreq *r, const char *name)
{
    return sc_h1_field_first(&r->h, name);
}

const char *sc_hreq_header_last(const sc_hreq *r, const char *name)
{
    return sc_h1_field_last(&r->h, name);
}

int sc_hreq_is_head(const sc_hreq *r)
{
    return strcmp(r->h.method, "HEAD") == 0;
}

int sc_hreq_add_header(sc_hreq *r, const char *name, const char *value)
{
    size_t nn = strlen(name), vn = strlen(value);
    if (sc_buf_reserve(&r->out_headers, nn + vn + 4) != 0)
        return -1;
    char *o = r->out_headers.data + r->out_headers.len;
    memcpy(o, name, nn);
    memcpy(o + nn, ": ", 2);
    memcpy(o + nn + 2, value, vn);
    /* a value never ends the header block early, whatever a client made us echo */
    for (char *p = o + nn + 2, *end = p + vn; (p = memchr(p, '\r', (size_t)(end - p))) != NULL;)
        *p = ' ';
    for (char *p = o + nn + 2, *end = p + vn; (p = memchr(p, '\n', (size_t)(end - p))) != NULL;)
        *p = ' ';
    memcpy(o + nn + 2 + vn, "\r\n", 2);
    r->out_headers.len += nn + vn + 4;
    r->out_headers.data[r->out_headers.len] = '\0';
    return 0;
}

int sc_hreq_add_cors(sc_hreq *r)
{
    const char *origin = sc_hreq_header(r, "Origin");
    if (origin != NULL)
        return sc_hreq_add_header(r, "Access-Control-Allow-Origin", origin) |
               sc_hreq_add_header(r, "Vary", "Origin");
    return sc_hreq_add_header(r, "Access-Control-Allow-Origin", "*");
}

void sc_hreq_set_close(sc_hreq *r)
{
    r->close = 1;
}

/* IMF-fixdate of now, rebuilt once a second; names spelled out so no locale can change them.
 * Per thread: in --debug mode the metrics port has a loop thread of its own. */
static const char *sc_hc_date(void)
{
    static _Thread_local char buf[40];
    static _Thread_local time_t last = -1;
    time_t now = time(NULL);
    if (now != last) {
        static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        struct tm tm;
        gmtime_r(&now, &tm);
        snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
                 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        last = now;
    }
    return buf;
}

static void sc_free_body(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

void sc_hreq_send(sc_hreq *r, int status, const char *reason, char *body, size_t len)
{
    sc_hconn *c = r->conn;
    if (c == NULL) { /* the client is gone */
        free(body);
        sc_hreq_free(r);
        return;
    }
    c->req = NULL;
    /* After the client's EOF, requests it pipelined before it are still answered. */
    int close = r->close || !r->h.keep_alive || !c->srv->o.keepalive || c->close_after ||
                (c->peer_eof && c->in_len == 0);
    int head = sc_hreq_is_head(r);
    char line[160];
    int n = snprintf(line, sizeof(line), "HTTP/%d.%d %d %s\r\nDate: %s\r\n", r->h.major, r->h.minor, status,
                     reason, sc_hc_date());
    char tail[96];
    int m = snprintf(tail, sizeof(tail), "Content-Length: %zu\r\n%s\r\n", len,
                     close ? "Connection: close\r\n"
                           : (r->h.major == 1 && r->h.minor == 0 ? "Connection: keep-alive\r\n" : ""));
    int rc = evbuffer_add(c->out, line, (size_t)n);
    rc |= evbuffer_add(c->out, r->out_headers.data ? r->out_headers.data : "", r->out_headers.len);
    rc |= evbuffer_add(c->out, tail, (size_t)m);
    if (len > 0 && !head) {
        if (evbuffer_add_reference(c->out, body, len, sc_free_body, NULL) == 0)
            body = NULL;
        else
            rc = -1;
    }
    free(body);
    sc_hreq_free(r);
    if (rc != 0) {
        SC_WARN("cannot queue an answer (out of memory): closing the connection");
        close = 1;
    }
    c->close_after |= close;
    c->state = SC_C_HEAD;
    sc_hc_flush(c);
}

/* --- connections ----------------------------------------------------------------------------- */

static void sc_hc_free(sc_hconn *c)
{
    if (c->in_process) {
        /* sc_hc_process still runs on this connection up the stack: it frees it on its way out */
        c->dead = 1;
        event_del(c->rev);
        event_del(c->wev);
        event_del(c->tev);
        return;
    }
    if (c->req != NULL) {
        if (c->state == SC_C_BUSY)
            c->req->conn = NULL; /* the application still holds it; its answer is dropped */
        else
            sc_hreq_free(c->req);
    }
    event_free(c->rev);
    event_free(c->wev);
    event_free(c->tev);
    evbuffer_free(c->out);
    sc_buf_free(&c->chbody);
    free(c->in);
    close(c->fd);
    free(c);
}

static void sc_hc_timer(sc_hconn *c, double seconds)
{
    if (seconds <= 0) {
        event_del(c->tev);
        return;
    }
    struct timeval tv = {(time_t)seconds, (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6)};
    if (evtimer_add(c->tev, &tv) != 0)
        SC_WARN("cannot arm a connection timer");
}

static void sc_hc_reading(sc_hconn *c, int on)
{
    if (on == c->reading)
        return;
    if ((on ? event_add(c->rev, NULL) : event_del(c->rev)) == 0)
        c->reading = on;
}

/* Closes after the answers are written: our side is shut, and what the client still sends is
 * read and dropped for a while, so the kernel does not answer it with a reset that could
 * destroy the answer before the client reads it. */
static void sc_hc_linger(sc_hconn *c)
{
    c->state = SC_C_LINGER;
    if (shutdown(c->fd, SHUT_WR) != 0 || c->peer_eof) {
        sc_hc_free(c);
        return;
    }
    sc_hc_reading(c, 1);
    sc_hc_timer(c, SC_LINGER_MS / 1000.0);
}

static void sc_hc_flush(sc_hconn *c)
{
    while (evbuffer_get_length(c->out) > 0) {
        int n = evbuffer_write(c->out, c->fd);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            sc_hc_free(c); /* the client is gone */
            return;
        }
        if (n == 0)
            break;
    }
    if (evbuffer_get_length(c->out) > 0) {
        if (event_add(c->wev, NULL) != 0) {
            sc_hc_free(c);
            return;
        }
        sc_hc_timer(c, SC_WRITE_TIMEOUT_S);
        return;
    }
    event_del(c->wev);
    if (c->close_after && (c->state == SC_C_HEAD || c->state == SC_C_PAGE)) {
        sc_hc_linger(c);
        return;
    }
    if (c->state == SC_C_HEAD && !c->in_process)
        sc_hc_process(c);
}

/* Writes what the socket takes now, without any state change (an interim answer). */
static void sc_hc_write_now(sc_hconn *c)
{
    int n = evbuffer_write(c->out, c->fd);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        sc_hc_free(c);
        return;
    }
    if (evbuffer_get_length(c->out) > 0 && event_add(c->wev, NULL) != 0)
        sc_hc_free(c);
}

/* No more requests on this connection: close once what is queued is written. */
static void sc_hc_finish(sc_hconn *c)
{
    c->close_after = 1;
    c->state = SC_C_HEAD;
    sc_hc_reading(c, 0);
    if (evbuffer_get_length(c->out) == 0)
        sc_hc_linger(c);
}

/* Hands the complete request to the application. */
static void sc_hc_dispatch(sc_hconn *c)
{
    sc_hreq *r = c->req;
    c->state = SC_C_BUSY;
    event_del(c->tev);
    r->start = sc_hc_now();
    if (r->error_status != 0) {
        /* the rest of the stream is not a request: dropped unread, then the lingering close */
        c->close_after = 1;
        c->in_len = 0;
        sc_hc_reading(c, 0);
    }
    c->srv->o.on_request(r, c->srv->o.arg);
}

static void sc_hc_consume(sc_hconn *c, size_t n)
{
    if (n >= c->in_len) {
        c->in_len = 0;
        if (c->in_cap > SC_IN_KEEP) {
            free(c->in);
            c->in = NULL;
            c->in_cap = 0;
        }
    } else {
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
    }
}

/* Answers a malformed head with gunicorn's page and closes. */
static void sc_hc_page(sc_hconn *c, sc_h1_error *e)
{
    sc_buf b;
    sc_buf_init(&b);
    if (sc_h1_render_page(&b, e->status, "Bad Request", e->mesg.data ? e->mesg.data : "", e->mesg.len) != 0 ||
        evbuffer_add(c->out, b.data, b.len) != 0)
        SC_WARN("cannot render an error page (out of memory)");
    sc_buf_free(&b);
    if (c->srv->o.on_page != NULL)
        c->srv->o.on_page(e->status, c->srv->o.arg);
    c->in_len = 0;
    c->close_after = 1;
    c->state = SC_C_PAGE;
    sc_hc_reading(c, 0);
    sc_hc_flush(c);
}

/* A complete head: parse it into a new request and decide how its body comes. Returns 0 to go
 * on, -1 when the connection was handed to an error path. */
static int sc_hc_head(sc_hconn *c, size_t head_len)
{
    sc_hreq *r = calloc(1, sizeof(*r));
    if (r == NULL || (r->head = malloc(head_len)) == NULL) {
        free(r);
        SC_WARN("out of memory for a request: closing its connection");
        sc_hc_free(c);
        return -1;
    }
    sc_h1_error_init(&r->err);
    sc_buf_init(&r->out_headers);
    memcpy(r->head, c->in, head_len);
    sc_hc_consume(c, head_len);
    memset(&c->scan, 0, sizeof(c->scan));
    if (sc_h1_parse_head(r->head, head_len, c->trusted, &r->h, &r->err) != 0) {
        sc_h1_error e = r->err;
        sc_buf_init(&r->err.mesg);
        sc_hreq_free(r);
        sc_hc_page(c, &e);
        sc_h1_error_free(&e);
        return -1;
    }
    r->conn = c;
    snprintf(r->peer, sizeof(r->peer), "%s", c->peer);
    c->req = r;
    const sc_h1_head *h = &r->h;
    /* Both framings present, or one we do not decode: answered, but the connection is not
     * trusted with another request (a proxy in front may have framed it differently). */
    if (h->te && (!h->chunked || sc_h1_field_first(h, "Content-Length") != NULL))
        c->close_after = 1;
    long long max = c->srv->o.max_body;
    if (!h->chunked && h->content_length > max) {
        r->error_status = 413;
        sc_buf_clear(&r->err.mesg);
        (void)sc_buf_printf(&r->err.mesg, "Request body exceeds the limit of %lld bytes (SC_MAX_BODY_BYTES)", max);
        r->error_info = r->err.mesg.data;
        sc_hc_dispatch(c); /* the body is not read: the lingering close drops it */
        return 0;
    }
    if (h->expect_continue) { /* gunicorn sends it whenever the client asks, body or not */
        if (evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0) {
            sc_hc_free(c);
            return -1;
        }
        sc_hc_write_now(c);
        if (c->dead)
            return -1;
    }
    if (h->chunked) {
        memset(&c->ch, 0, sizeof(c->ch));
        sc_buf_clear(&c->chbody);
        c->state = SC_C_CHUNKED;
    } else if (h->content_length > 0) {
        size_t cl = (size_t)h->content_length;
        size_t n = c->in_len < cl ? c->in_len : cl;
        size_t cap = cl < SC_BODY_FIRST ? cl : (n > SC_BODY_FIRST ? n : SC_BODY_FIRST);
        r->body = malloc(cap);
        if (r->body == NULL) {
            SC_WARN("out of memory for a %zu-byte body: closing its connection", cap);
            sc_hc_free(c);
            return -1;
        }
        if (n > 0) /* c->in may be NULL: released with the head it held */
            memcpy(r->body, c->in, n);
        sc_hc_consume(c, n);
        c->body_got = (long long)n;
        c->body_cap = (long long)cap;
        c->state = SC_C_BODY;
    } else {
        sc_hc_dispatch(c);
    }
    return 0;
}

/* Parses what has been read, as far as it goes. */
static void sc_hc_process_steps(sc_hconn *c);

static void sc_hc_process(sc_hconn *c)
{
    c->in_process = 1;
    sc_hc_process_steps(c);
    c->in_process = 0;
    if (c->dead) {
        c->dead = 0;
        sc_hc_free(c);
    }
}

/* More bytes are needed for the request being read. */
static void sc_hc_need_more(sc_hconn *c, double timeout)
{
    if (c->peer_eof) { /* they will not come: an incomplete request is closed unanswered */
        sc_hc_finish(c);
        return;
    }
    sc_hc_timer(c, timeout);
    sc_hc_reading(c, 1);
}

static void sc_hc_process_steps(sc_hconn *c)
{
    while (!c->dead) {
        if (c->state == SC_C_HEAD) {
            if (evbuffer_get_length(c->out) > SC_AHEAD_MAX) {
                /* the client does not read its answers: neither read nor parse more from it
                 * until they are written (sc_hc_flush comes back here) */
                sc_hc_reading(c, 0);
                break;
            }
            if (c->in_len == 0) {
                if (c->peer_eof)
                    sc_hc_finish(c);
                else if (evbuffer_get_length(c->out) == 0)
                    sc_hc_need_more(c, c->srv->o.idle_timeout_s);
                else
                    sc_hc_reading(c, 1);
                break;
            }
            if (c->scan.pos == 0 && c->scan.line_end == 0)
                c->head_started = sc_hc_now();
            sc_h1_error e;
            sc_h1_error_init(&e);
            long hl = sc_h1_scan_head(&c->scan, c->in, c->in_len, &e);
            if (hl < 0) {
                sc_hc_page(c, &e);
                sc_h1_error_free(&e);
                break;
            }
            sc_h1_error_free(&e);
            if (hl == 0) {
                double left = c->head_started + c->srv->o.head_timeout_s - sc_hc_now();
                double idle = c->srv->o.idle_timeout_s;
                sc_hc_need_more(c, left < idle ? (left > 0.001 ? left : 0.001) : idle);
                break;
            }
            if (sc_hc_head(c, (size_t)hl) != 0)
                break;
            continue;
        }
        if (c->state == SC_C_BODY) {
            if (c->body_got == c->req->h.content_length) {
                c->req->body_len = (size_t)c->body_got;
                sc_hc_dispatch(c);
                continue;
            }
            sc_hc_need_more(c, c->srv->o.idle_timeout_s);
            break;
        }
        if (c->state == SC_C_CHUNKED) {
            int done = 0;
            sc_hreq *r = c->req;
            long n = sc_h1_dechunk(&c->ch, c->in, c->in_len, &c->chbody, c->srv->o.max_body, &done, &r->err);
            if (n < 0) {
                r->error_status = r->err.status;
                r->error_info = r->err.mesg.data ? r->err.mesg.data : "";
                c->in_len = 0;
                sc_hc_dispatch(c);
                continue;
            }
            sc_hc_consume(c, (size_t)n);
            if (done) {
                r->body = sc_buf_release(&c->chbody, &r->body_len);
                sc_hc_dispatch(c);
                continue;
            }
            sc_hc_need_more(c, c->srv->o.idle_timeout_s);
            break;
        }
        /* busy (in the application, or an error page being written) or lingering */
        if (c->state == SC_C_BUSY && c->in_len > SC_AHEAD_MAX)
            sc_hc_reading(c, 0);
        break;
    }
}

static void sc_hc_on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_hconn *c = arg;
    if (c->state == SC_C_BUSY && evbuffer_get_length(c->out) == 0)
        return; /* the application's deadline governs a request in progress */
    sc_hc_free(c); /* idle, too slow a request, an unread answer, or the linger is over */
}

static void sc_hc_on_write(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_hc_flush(arg);
}

static int sc_hc_grow(sc_hconn *c, size_t want)
{
    if (c->in_cap - c->in_len >= want)
        return 0;
    size_t cap = c->in_cap ? c->in_cap : 16384;
    while (cap - c->in_len < want)
        cap *= 2;
    char *p = realloc(c->in, cap);
    if (p == NULL)
        return -1;
    c->in = p;
    c->in_cap = cap;
    return 0;
}

static void sc_hc_on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    sc_hconn *c = arg;
    ssize_t n;
    if (c->state == SC_C_LINGER) {
        static _Thread_local char sink[16384];
        n = read(fd, sink, sizeof(sink));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            sc_hc_free(c);
        return;
    }
    if (c->state == SC_C_BODY) {
        /* straight into the body: no copy, and never past this request */
        sc_hreq *r = c->req;
        if (c->body_got == c->body_cap) {
            long long cap = c->body_cap * 2 < r->h.content_length ? c->body_cap * 2 : r->h.content_length;
            char *p = realloc(r->body, (size_t)cap);
            if (p == NULL) {
                SC_WARN("out of memory for a %lld-byte body: closing its connection", cap);
                sc_hc_free(c);
                return;
            }
            r->body = p;
            c->body_cap = cap;
        }
        n = read(fd, r->body + c->body_got, (size_t)(c->body_cap - c->body_got));
        if (n > 0)
            c->body_got += n;
    } else {
        size_t want = c->state == SC_C_HEAD ? SC_HEAD_READ : SC_BODY_READ;
        if (sc_hc_grow(c, want) != 0) {
            SC_WARN("out of memory reading a request: closing its connection");
            sc_hc_free(c);
            return;
        }
        n = read(fd, c->in + c->in_len, want);
        if (n > 0)
            c->in_len += (size_t)n;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        sc_hc_free(c); /* reset: a request in the application is answered into the void */
        return;
    }
    if (n == 0) {
        c->peer_eof = 1;
        sc_hc_reading(c, 0);
        /* The client sent all it will: a request still being read is incomplete (closed
         * without an answer); one in the application is still answered. */
        if (c->state == SC_C_HEAD || c->state == SC_C_BODY || c->state == SC_C_CHUNKED)
            sc_hc_process(c); /* requests pipelined before the EOF are still served */
        return;
    }
    if (c->state != SC_C_BUSY)
        sc_hc_process(c);
    else if (c->in_len > SC_AHEAD_MAX)
        sc_hc_reading(c, 0);
}

/* --- accepting ------------------------------------------------------------------------------- */

static void sc_hc_peer(sc_hconn *c)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    snprintf(c->peer, sizeof(c->peer), "-");
    if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        if (inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->peer, sizeof(c->peer)) == NULL)
            snprintf(c->peer, sizeof(c->peer), "-");
    } else if (ss.ss_family == AF_INET6) {
        if (inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->peer, sizeof(c->peer)) == NULL)
            snprintf(c->peer, sizeof(c->peer), "-");
    }
}

/* gunicorn's forwarded_allow_ips: the peers whose X-Forwarded-Proto (and kin) are believed. */
static int sc_hs_trusted(const sc_hsrv *s, const char *peer)
{
    const char *p = s->allow_ips;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *t = p;
        size_t tn = n;
        while (tn > 0 && *t == ' ') {
            t++;
            tn--;
        }
        while (tn > 0 && t[tn - 1] == ' ')
            tn--;
        if ((tn == 1 && *t == '*') || (tn == strlen(peer) && memcmp(t, peer, tn) == 0))
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

static void sc_hc_new(sc_hsrv *s, int fd)
{
    sc_hconn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return;
    }
    c->srv = s;
    c->fd = fd;
    c->state = SC_C_HEAD;
    sc_buf_init(&c->chbody);
    c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, sc_hc_on_read, c);
    c->wev = event_new(s->base, fd, EV_WRITE | EV_PERSIST, sc_hc_on_write, c);
    c->tev = evtimer_new(s->base, sc_hc_on_timer, c);
    c->out = evbuffer_new();
    if (c->rev == NULL || c->wev == NULL || c->tev == NULL || c->out == NULL) {
        if (c->rev)
            event_free(c->rev);
        if (c->wev)
            event_free(c->wev);
        if (c->tev)
            event_free(c->tev);
        if (c->out)
            evbuffer_free(c->out);
        close(fd);
        free(c);
        return;
    }
    sc_hc_peer(c);
    c->trusted = sc_hs_trusted(s, c->peer);
    sc_hc_process(c); /* arms the idle timer and starts reading */
}

static void sc_hs_on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sc_hsrv *s = arg;
    if (s->accepting && event_add(s->accept_ev, NULL) != 0)
        SC_ERROR("cannot watch the REST socket again");
}

static void sc_hs_on_accept(evutil_socket_t lfd, short what, void *arg)
{
    (void)what;
    sc_hsrv *s = arg;
    for (int i = 0; i < SC_ACCEPT_BURST && s->accepting; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* out of descriptors: pause instead of spinning on a socket that stays readable */
                SC_WARN("accept: %s; pausing for 100 ms", strerror(errno));
                event_del(s->accept_ev);
                struct timeval tv = {0, 100 * 1000};
                if (evtimer_add(s->accept_retry, &tv) != 0)
                    SC_ERROR("cannot arm the accept retry");
            }
            return; /* EAGAIN: another worker took it */
        }
        sc_hc_new(s, fd);
    }
}

sc_hsrv *sc_hsrv_start(struct event_base *base, const sc_hsrv_opts *opts)
{
    sc_hsrv *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->o = *opts;
    const char *allow = getenv("FORWARDED_ALLOW_IPS");
    s->allow_ips = strdup(allow != NULL ? allow : "127.0.0.1");
    if (s->allow_ips == NULL) {
        free(s);
        return NULL;
    }
    if (s->o.idle_timeout_s <= 0)
        s->o.idle_timeout_s = 2;
    if (s->o.head_timeout_s <= 0)
        s->o.head_timeout_s = 10;
    s->base = base;
    s->accept_ev = event_new(base, opts->listen_fd, EV_READ | EV_PERSIST, sc_hs_on_accept, s);
    s->accept_retry = evtimer_new(base, sc_hs_on_retry, s);
    if (s->accept_ev == NULL || s->accept_retry == NULL || event_add(s->accept_ev, NULL) != 0) {
        SC_ERROR("cannot accept on the REST socket");
        if (s->accept_ev)
            event_free(s->accept_ev);
        if (s->accept_retry)
            event_free(s->accept_retry);
        free(s->allow_ips);
        free(s);
        return NULL;
    }
    s->accepting = 1;
    return s;
}

void sc_hsrv_stop_accepting(sc_hsrv *s)
{
    if (!s->accepting)
        return;
    s->accepting = 0;
    event_del(s->accept_ev);
    event_del(s->accept_retry);
}
