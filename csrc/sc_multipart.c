/* sc_multipart: multipart/form-data bodies, decoded as Werkzeug 2.2.3's MultipartDecoder and
 * MultiPartParser do it, then turned into the dict the original's get_multi_form_data_request()
 * builds (see sc_form.h).
 *
 * Werkzeug reads the body in 64 KiB chunks and runs its decoder on what it has so far. Most of
 * its decisions do not depend on where the chunks end, and those are made here on the whole
 * body, which keeps every search linear. Two do, and are reproduced by tracking the window the
 * decoder has seen:
 *  - before the first boundary it resumes its search `len(boundary) + 8` bytes before the end
 *    of the previous window, so a boundary line cut by a chunk end far enough back is missed;
 *  - a boundary line ending in "\r\n" whose "\r" is the last byte of a window is taken to end
 *    at the "\r", leaving the "\n" to the next part's headers.
 *
 * Errors follow the original: Werkzeug's parser swallows ValueError and then the form is just
 * empty (bad framing, no boundary, a header line without ':', invalid UTF-8 in a header, ...),
 * while every other exception (LookupError for an unknown charset, TypeError, the 413 for more
 * than 1000 parts) and the original's own json.loads()/decode("utf-8") failures become 500 with
 * str(exception).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sc_form.h"
#include "sc_mimeopts.h"
#include "sc_pystr.h"

#define SC_MP_CHUNK ((size_t)64 * 1024) /* MultiPartParser.buffer_size */
#define SC_MP_MAX_PARTS 1000            /* Request.max_form_parts in Werkzeug 2.2.3 */
#define SC_MP_SEARCH_EXTRA 8            /* MultipartDecoder's SEARCH_EXTRA_LENGTH */

typedef struct sc_mp_part {
    const char *name; /* UTF-8, NUL-terminated; NULL for Python's None (no name parameter) */
    size_t name_len;
    int is_file;
    size_t lo, hi;      /* the part's data: body[lo, hi) */
    int codec_known;    /* field: charset resolved to codec (else the data is empty) */
    sc_codec codec;
} sc_mp_part;

typedef struct sc_mp {
    sc_arena *arena;
    const unsigned char *body;
    size_t len;
    unsigned char *delim; /* "--" + boundary */
    size_t dlen;
    size_t blen; /* boundary length without "--" */
    size_t avail; /* end of the window Werkzeug's decoder has seen */
    /* [ws_lo, ws_hi): a run known to be horizontal whitespace, so that a long run after a
     * boundary candidate is scanned once even when several candidates end in it. */
    size_t ws_lo, ws_hi;
    sc_mp_part *parts;
    size_t nparts, cap;
    sc_pyexc exc;
} sc_mp;

enum { SC_MP_NONE = 0, SC_MP_INCOMPLETE, SC_MP_PART, SC_MP_EPILOGUE };

/* Outcome of the decoder. */
enum { SC_MP_OK = 0, SC_MP_SILENT = 1, SC_MP_RAISE = 2, SC_MP_NOMEM = 3 };

static size_t sc_mp_window_end(const sc_mp *mp, size_t x)
{
    /* The end of the first window that contains byte x - 1. */
    size_t w = (x + SC_MP_CHUNK - 1) / SC_MP_CHUNK * SC_MP_CHUNK;
    return w < mp->len ? w : mp->len;
}

static int sc_mp_is_hspace(unsigned char c)
{
    /* `[^\S\n\r]` in a bytes pattern. */
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static size_t sc_mp_skip_hspace(sc_mp *mp, size_t k, size_t lim)
{
    if (k >= mp->ws_lo && k < mp->ws_hi)
        k = mp->ws_hi < lim ? mp->ws_hi : lim;
    size_t start = k;
    while (k < lim && sc_mp_is_hspace(mp->body[k]))
        k++;
    if (k > start) {
        if (start == mp->ws_hi && mp->ws_hi > mp->ws_lo)
            mp->ws_hi = k;
        else {
            mp->ws_lo = start;
            mp->ws_hi = k;
        }
    }
    return k;
}

/* Classifies the delimiter found at q as the tail of Werkzeug's boundary patterns,
 * `--B(--[^\S\n\r]*LB?|[^\S\n\r]*LB)`, looking at body[0, lim) only. For SC_MP_PART, *end is
 * where the match ends (after the line break) and *lb the line break's position. */
static int sc_mp_classify(sc_mp *mp, size_t q, size_t lim, size_t *end, size_t *lb)
{
    const unsigned char *b = mp->body;
    size_t k = q + mp->dlen;
    if (k >= lim)
        return SC_MP_INCOMPLETE;
    if (b[k] == '-') {
        if (k + 1 >= lim)
            return SC_MP_INCOMPLETE;
        return b[k + 1] == '-' ? SC_MP_EPILOGUE : SC_MP_NONE;
    }
    k = sc_mp_skip_hspace(mp, k, lim);
    if (k >= lim)
        return SC_MP_INCOMPLETE;
    if (b[k] == '\n') {
        *lb = k;
        *end = k + 1;
        return SC_MP_PART;
    }
    if (b[k] == '\r') {
        *lb = k;
        *end = (k + 1 < lim && b[k + 1] == '\n') ? k + 2 : k + 1;
        return SC_MP_PART;
    }
    return SC_MP_NONE;
}

static const unsigned char *sc_mp_find(const sc_mp *mp, size_t from, size_t lim)
{
    if (from >= lim || lim - from < mp->dlen)
        return NULL;
    return memmem(mp->body + from, lim - from, mp->delim, mp->dlen);
}

/* PREAMBLE state: the first boundary, searched window by window as Werkzeug does. Returns the
 * kind found and sets *end, or SC_MP_NONE when the body ends first. */
static int sc_mp_preamble(sc_mp *mp, size_t *end)
{
    size_t sp = 0;  /* Werkzeug's _search_position: matches must start at or after it */
    size_t from = 0; /* where this window's scan starts: everything before it was settled */
    for (;;) {
        size_t first_incomplete = SIZE_MAX;
        for (size_t at = from;;) {
            const unsigned char *hit = sc_mp_find(mp, at, mp->avail);
            if (hit == NULL)
                break;
            size_t q = (size_t)(hit - mp->body), lb;
            int kind = sc_mp_classify(mp, q, mp->avail, end, &lb);
            if (kind == SC_MP_PART || kind == SC_MP_EPILOGUE)
                return kind;
            if (kind == SC_MP_INCOMPLETE && first_incomplete == SIZE_MAX)
                first_incomplete = q;
            at = q + 1;
        }
        if (mp->avail >= mp->len)
            return SC_MP_NONE;
        sp = mp->avail > mp->blen + SC_MP_SEARCH_EXTRA ? mp->avail - mp->blen - SC_MP_SEARCH_EXTRA
                                                       : 0;
        /* Candidates that can change with more data: the ones cut off by the window end and
         * the ones waiting for the rest of their line; the others are settled for good. */
        from = mp->avail >= mp->dlen ? mp->avail - mp->dlen + 1 : 0;
        if (first_incomplete < from)
            from = first_incomplete;
        if (from < sp)
            from = sp;
        mp->avail = mp->avail + SC_MP_CHUNK < mp->len ? mp->avail + SC_MP_CHUNK : mp->len;
    }
}

/* PART state: the blank line that ends the part's headers, `\r\n\r\n|\r\r|\n\n`, from pos.
 * Returns its start or SIZE_MAX; *mlen is its length. */
static size_t sc_mp_blank_line(const sc_mp *mp, size_t pos, size_t *mlen)
{
    const unsigned char *b = mp->body;
    size_t n = mp->len;
    for (size_t i = pos; i + 1 < n; i++) {
        if (b[i] == '\r') {
            if (i + 3 < n && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                *mlen = 4;
                return i;
            }
            if (b[i + 1] == '\r') {
                *mlen = 2;
                return i;
            }
        } else if (b[i] == '\n' && b[i + 1] == '\n') {
            *mlen = 2;
            return i;
        }
    }
    return SIZE_MAX;
}

/* DATA state: the first delimiter preceded by a line break inside the part's buffer
 * (`LB--B...`). Sets *start (where the data ends) and *end. */
static int sc_mp_data_end(sc_mp *mp, size_t data_lo, size_t *start, size_t *end)
{
    const unsigned char *b = mp->body;
    for (size_t from = data_lo;;) {
        const unsigned char *hit = sc_mp_find(mp, from, mp->len);
        if (hit == NULL)
            return SC_MP_NONE;
        size_t q = (size_t)(hit - b), lb;
        from = q + 1;
        if (q == data_lo || (b[q - 1] != '\r' && b[q - 1] != '\n'))
            continue;
        int kind = sc_mp_classify(mp, q, mp->len, end, &lb);
        if (kind != SC_MP_PART && kind != SC_MP_EPILOGUE)
            continue;
        *start = (b[q - 1] == '\n' && q - 1 > data_lo && b[q - 2] == '\r') ? q - 2 : q - 1;
        if (kind == SC_MP_PART) {
            /* The decoder sees this match in the first window holding its line break. */
            size_t w = sc_mp_window_end(mp, lb + 1);
            if (w > mp->avail)
                mp->avail = w;
            if (b[lb] == '\r' && *end == lb + 2 && mp->avail == lb + 1)
                *end = lb + 1;
        }
        return kind;
    }
}

/* ---- part headers ---------------------------------------------------------------------------- */

static int sc_mp_u_isspace_at(const unsigned char *s, size_t n, size_t i, size_t *w)
{
    uint32_t cp;
    size_t bad;
    const char *reason;
    size_t k = sc_utf8_decode1(s + i, n - i, &cp, &bad, &reason);
    *w = k ? k : 1;
    return k && sc_py_isspace(cp);
}

/* str.strip() of valid UTF-8 s[*lo, *hi). */
static void sc_mp_ustrip(const unsigned char *s, size_t *lo, size_t *hi)
{
    size_t w;
    while (*lo < *hi && sc_mp_u_isspace_at(s, *hi, *lo, &w))
        *lo += w;
    while (*hi > *lo) {
        size_t st = *hi - 1;
        while (st > *lo && (s[st] & 0xC0) == 0x80)
            st--;
        if (!sc_mp_u_isspace_at(s, *hi, st, &w))
            break;
        *hi = st;
    }
}

static int sc_mp_ascii_ieq(const unsigned char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)b[i])
            return 0;
    }
    return 1;
}

typedef struct sc_mp_hdrs {
    const char *cd; /* first Content-Disposition value (UTF-8) or NULL */
    size_t cd_len;
    const char *ct; /* first Content-Type value or NULL */
    size_t ct_len;
} sc_mp_hdrs;

/* MultipartDecoder._parse_headers() on body[lo, hi). Returns SC_MP_OK or SC_MP_SILENT (a
 * ValueError: undecodable line, line without ':') or SC_MP_NOMEM. */
static int sc_mp_headers(sc_mp *mp, size_t lo, size_t hi, sc_mp_hdrs *h)
{
    const unsigned char *in = mp->body + lo;
    size_t n = hi - lo;
    memset(h, 0, sizeof(*h));
    unsigned char *t = sc_arena_alloc(mp->arena, n + 1);
    if (t == NULL)
        return SC_MP_NOMEM;
    /* A line break followed by a space or tab continues the header: both become one space. */
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        if (in[i] == '\r' && i + 2 < n && in[i + 1] == '\n' &&
            (in[i + 2] == ' ' || in[i + 2] == '\t')) {
            t[m++] = ' ';
            i += 3;
        } else if ((in[i] == '\r' || in[i] == '\n') && i + 1 < n &&
                   (in[i + 1] == ' ' || in[i + 1] == '\t')) {
            t[m++] = ' ';
            i += 2;
        } else {
            t[m++] = in[i++];
        }
    }
    /* bytes.splitlines(): "\r\n", "\r" or "\n" end a line. */
    for (size_t i = 0; i < m;) {
        size_t ls = i;
        while (i < m && t[i] != '\r' && t[i] != '\n')
            i++;
        size_t le = i;
        if (i < m)
            i += (t[i] == '\r' && i + 1 < m && t[i + 1] == '\n') ? 2 : 1;

        size_t a = ls, z = le;
        while (a < z && (t[a] == ' ' || t[a] == '\t' || t[a] == '\v' || t[a] == '\f'))
            a++;
        if (a == z)
            continue; /* blank once bytes.strip()ped: skipped */
        for (size_t k = ls; k < le;) {
            uint32_t cp;
            size_t bad;
            const char *reason;
            size_t w = sc_utf8_decode1(t + k, le - k, &cp, &bad, &reason);
            if (w == 0)
                return SC_MP_SILENT; /* UnicodeDecodeError */
            k += w;
        }
        a = ls;
        z = le;
        sc_mp_ustrip(t, &a, &z);
        const unsigned char *colon = memchr(t + a, ':', z - a);
        if (colon == NULL)
            return SC_MP_SILENT; /* "not enough values to unpack" */
        size_t nlo = a, nhi = (size_t)(colon - t), vlo = nhi + 1, vhi = z;
        sc_mp_ustrip(t, &nlo, &nhi);
        sc_mp_ustrip(t, &vlo, &vhi);
        if (h->cd == NULL && sc_mp_ascii_ieq(t + nlo, nhi - nlo, "content-disposition")) {
            h->cd = (const char *)t + vlo;
            h->cd_len = vhi - vlo;
        } else if (h->ct == NULL && sc_mp_ascii_ieq(t + nlo, nhi - nlo, "content-type")) {
            h->ct = (const char *)t + vlo;
            h->ct_len = vhi - vlo;
        }
    }
    return SC_MP_OK;
}

/* Maps a parse_options_header() exception: ValueErrors are swallowed by the form parser. */
static int sc_mp_exc(const sc_mp *mp)
{
    return mp->exc.kind == SC_PYEXC_VALUE ? SC_MP_SILENT : SC_MP_RAISE;
}

static int sc_mp_add_part(sc_mp *mp, const sc_mp_part *p)
{
    if (mp->nparts == mp->cap) {
        size_t cap = mp->cap ? mp->cap * 2 : 16;
        sc_mp_part *np = sc_arena_alloc(mp->arena, cap * sizeof(*np));
        if (np == NULL)
            return -ENOMEM;
        if (mp->nparts)
            memcpy(np, mp->parts, mp->nparts * sizeof(*np));
        mp->parts = np;
        mp->cap = cap;
    }
    mp->parts[mp->nparts++] = *p;
    return 0;
}

/* The charset a field is decoded with (MultiPartParser.get_part_charset), checked when the
 * field ends, as Werkzeug decodes it then. */
static int sc_mp_field_charset(sc_mp *mp, const sc_mp_hdrs *h, sc_mp_part *p)
{
    const char *name = "utf-8";
    size_t nlen = 5;
    if (h->ct != NULL && h->ct_len > 0) {
        sc_mimeopt want[1] = {{.key = "charset"}};
        const char *mt;
        size_t mtl;
        int rc = sc_mimeopts_parse(mp->arena, h->ct, h->ct_len, &mt, &mtl, want, 1, &mp->exc);
        if (rc == -ENOMEM)
            return SC_MP_NOMEM;
        if (rc != 0)
            return sc_mp_exc(mp);
        if (want[0].state == SC_OPT_NONE) {
            sc_pyexc_set(&mp->exc, SC_PYEXC_OTHER,
                         "decode() argument 'encoding' must be str, not None");
            return SC_MP_RAISE;
        }
        if (want[0].state == SC_OPT_STR) {
            name = want[0].val;
            nlen = want[0].len;
        }
    }
    /* bytes.decode(charset, "replace"): the NUL check always, the codec lookup only for
     * non-empty data. */
    if (memchr(name, '\0', nlen) != NULL) {
        sc_pyexc_set(&mp->exc, SC_PYEXC_VALUE, "embedded null character");
        return SC_MP_SILENT;
    }
    p->codec_known = 0;
    if (p->hi > p->lo) {
        if (sc_codec_lookup(name, nlen, &p->codec, &mp->exc) != 0)
            return sc_mp_exc(mp);
        p->codec_known = 1;
    }
    return SC_MP_OK;
}

/* Runs the decoder over the whole body, collecting the parts. */
static int sc_mp_run(sc_mp *mp)
{
    size_t pos, end;
    mp->avail = mp->len < SC_MP_CHUNK ? mp->len : SC_MP_CHUNK;
    int kind = sc_mp_preamble(mp, &end);
    if (kind == SC_MP_NONE)
        return SC_MP_SILENT;
    pos = end;
    size_t decoded = 0;
    while (kind == SC_MP_PART) {
        size_t blank_len;
        size_t blank = sc_mp_blank_line(mp, pos, &blank_len);
        if (blank == SIZE_MAX)
            return SC_MP_SILENT;
        size_t w = sc_mp_window_end(mp, blank + blank_len);
        if (w > mp->avail)
            mp->avail = w;

        sc_mp_hdrs h;
        int rc = sc_mp_headers(mp, pos, blank, &h);
        if (rc != SC_MP_OK)
            return rc;
        if (h.cd == NULL)
            return SC_MP_SILENT; /* "Missing Content-Disposition header" */
        sc_mimeopt want[2] = {{.key = "name"}, {.key = "filename"}};
        const char *disp;
        size_t displen;
        rc = sc_mimeopts_parse(mp->arena, h.cd, h.cd_len, &disp, &displen, want, 2, &mp->exc);
        if (rc == -ENOMEM)
            return SC_MP_NOMEM;
        if (rc != 0)
            return sc_mp_exc(mp);
        if (++decoded > SC_MP_MAX_PARTS) {
            sc_pyexc_set(&mp->exc, SC_PYEXC_OTHER,
                         "413 Request Entity Too Large: The data value transmitted exceeds the "
                         "capacity limit.");
            return SC_MP_RAISE;
        }

        sc_mp_part part;
        memset(&part, 0, sizeof(part));
        if (want[0].state == SC_OPT_STR) {
            part.name = want[0].val;
            part.name_len = want[0].len;
        }
        part.is_file = want[1].state == SC_OPT_STR;
        part.lo = blank + blank_len;
        size_t start;
        kind = sc_mp_data_end(mp, part.lo, &start, &end);
        if (kind == SC_MP_NONE)
            return SC_MP_SILENT; /* "Invalid form-data cannot parse beyond State.DATA" */
        part.hi = start;
        if (!part.is_file) {
            rc = sc_mp_field_charset(mp, &h, &part);
            if (rc != SC_MP_OK)
                return rc;
        }
        if (sc_mp_add_part(mp, &part) != 0)
            return SC_MP_NOMEM;
        pos = end;
    }
    return SC_MP_OK; /* epilogue reached; what follows it is ignored */
}

/* ---- the original's dict ----------------------------------------------------------------- */

static uint32_t sc_mp_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

typedef struct sc_mp_slot {
    const sc_mp_part *part; /* first part with this name; NULL: empty */
    uint32_t hash;
    size_t member; /* index in the result object, SIZE_MAX when not emitted (None key) */
} sc_mp_slot;

static int sc_mp_same_name(const sc_mp_part *a, const sc_mp_part *b)
{
    if (a->name == NULL || b->name == NULL)
        return a->name == b->name;
    return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
}

/* Finds the slot of p's name in the table (open addressing, power-of-two size). */
static sc_mp_slot *sc_mp_lookup(sc_mp_slot *tab, size_t mask, const sc_mp_part *p, uint32_t h)
{
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (tab[i].part == NULL || (tab[i].hash == h && sc_mp_same_name(tab[i].part, p)))
            return &tab[i];
    }
}

static sc_json *sc_mp_string(sc_arena *a, const char *s, size_t len)
{
    /* Built in place rather than with sc_json_new_string: the text is already in the arena
     * and can be megabytes (a file), so it is not copied again. */
    sc_json *j = sc_arena_alloc(a, sizeof(*j));
    if (j == NULL)
        return NULL;
    j->type = SC_JSON_STRING;
    j->u.s.ptr = s;
    j->u.s.len = len;
    return j;
}

static void sc_mp_error(sc_form_error *err, const char *msg)
{
    err->status = 500;
    size_t n = strlen(msg);
    if (n >= sizeof(err->message))
        n = sizeof(err->message) - 1;
    memcpy(err->message, msg, n);
    err->message[n] = '\0';
}

static int sc_mp_empty(sc_arena *a, sc_json **out)
{
    sc_json *obj = sc_json_new_object(a, 0);
    if (obj == NULL)
        return -ENOMEM;
    *out = obj;
    return 0;
}

/* get_multi_form_data_request(): request.form (unique names, first value, JSON-parsed except
 * "strData"), then request.files ("binData" base64, others UTF-8), a file replacing a field of
 * the same name in place as a dict assignment does. */
static int sc_mp_build(sc_mp *mp, sc_json **out, sc_form_error *err)
{
    sc_arena *a = mp->arena;
    size_t size = 16;
    while (size < 2 * mp->nparts)
        size *= 2;
    sc_mp_slot *fields = sc_arena_alloc(a, size * sizeof(sc_mp_slot));
    sc_mp_slot *files = sc_arena_alloc(a, size * sizeof(sc_mp_slot));
    if (fields == NULL || files == NULL)
        return -ENOMEM;
    memset(fields, 0, size * sizeof(sc_mp_slot));
    memset(files, 0, size * sizeof(sc_mp_slot));

    /* Unique names in first-appearance order: the members of the result. */
    size_t nmembers = 0;
    const sc_mp_part **order = sc_arena_alloc(a, (mp->nparts + 1) * sizeof(*order));
    if (order == NULL)
        return -ENOMEM;
    size_t norder = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < mp->nparts; i++) {
            const sc_mp_part *p = &mp->parts[i];
            if (p->is_file != pass)
                continue;
            uint32_t h = p->name ? sc_mp_hash(p->name, p->name_len) : 0;
            sc_mp_slot *s = sc_mp_lookup(pass ? files : fields, size - 1, p, h);
            if (s->part != NULL)
                continue;
            s->part = p;
            s->hash = h;
            s->member = SIZE_MAX;
            if (p->name != NULL) {
                /* A file whose name is also a field's reuses that member. */
                sc_mp_slot *f = pass ? sc_mp_lookup(fields, size - 1, p, h) : NULL;
                if (f != NULL && f->part != NULL)
                    s->member = f->member;
                else
                    s->member = nmembers++;
            }
            order[norder++] = p;
        }
    }

    sc_json *obj = sc_json_new_object(a, nmembers);
    if (obj == NULL)
        return -ENOMEM;
    sc_json_member *mem = obj->u.o.members;
    for (size_t i = 0; i < nmembers; i++) {
        mem[i].key = NULL;
        mem[i].key_len = 0;
        mem[i].value = NULL;
    }

    for (size_t i = 0; i < norder; i++) {
        const sc_mp_part *p = order[i];
        const unsigned char *data = mp->body + p->lo;
        size_t dlen = p->hi - p->lo;
        sc_json *v;
        if (!p->is_file) {
            char *text = "";
            size_t tlen = 0;
            if (p->codec_known) {
                int rc = sc_py_decode(a, p->codec, 1, data, dlen, &text, &tlen, &mp->exc);
                if (rc != 0)
                    return -ENOMEM; /* "replace" cannot fail otherwise */
            }
            if (p->name != NULL && p->name_len == 7 && memcmp(p->name, "strData", 7) == 0) {
                v = sc_mp_string(a, text, tlen);
                if (v == NULL)
                    return -ENOMEM;
            } else {
                sc_json_error jerr;
                int rc = sc_json_parse(a, text, tlen, SC_JSON_DEFAULT_MAX_DEPTH, &v, &jerr);
                if (rc == -ENOMEM)
                    return rc;
                if (rc != 0) {
                    sc_mp_error(err, jerr.message);
                    return -EINVAL;
                }
            }
        } else if (p->name != NULL && p->name_len == 7 && memcmp(p->name, "binData", 7) == 0) {
            size_t elen;
            char *enc = sc_base64_encode(a, data, dlen, &elen);
            if (enc == NULL)
                return -ENOMEM;
            v = sc_mp_string(a, enc, elen);
            if (v == NULL)
                return -ENOMEM;
            v->type = SC_JSON_BYTES; /* base64.b64encode() returns bytes in the original */
        } else {
            char *text;
            size_t tlen;
            int rc = sc_py_decode(a, SC_CODEC_UTF8, 0, data, dlen, &text, &tlen, &mp->exc);
            if (rc == -ENOMEM)
                return rc;
            if (rc != 0) {
                sc_mp_error(err, mp->exc.msg);
                return -EINVAL;
            }
            v = sc_mp_string(a, text, tlen);
            if (v == NULL)
                return -ENOMEM;
        }
        if (p->name == NULL)
            continue; /* None keys cannot be JSON object keys; see sc_form.h */
        uint32_t h = sc_mp_hash(p->name, p->name_len);
        sc_mp_slot *s = sc_mp_lookup(p->is_file ? files : fields, size - 1, p, h);
        sc_json_member *m = &mem[s->member];
        m->key = p->name;
        m->key_len = p->name_len;
        m->value = v;
    }
    /* Members are unique by construction, so they are filled directly instead of through
     * sc_json_object_set(), whose duplicate check is linear per key. */
    obj->u.o.len = nmembers;
    *out = obj;
    return 0;
}

int sc_multipart_decode(sc_arena *arena, const char *content_type, const char *body, size_t len,
                        sc_json **out, sc_form_error *err)
{
    err->status = 0;
    err->message[0] = '\0';
    if (body == NULL)
        len = 0;

    sc_mp mp;
    memset(&mp, 0, sizeof(mp));
    mp.arena = arena;
    mp.body = (const unsigned char *)(body ? body : "");
    mp.len = len;

    /* request.mimetype / mimetype_params: the header as a WSGI server gives it (Latin-1).
     * Anything parse_options_header() raises here escapes Werkzeug's form parser. */
    const char *ct = content_type ? content_type : "";
    size_t ctlen = strlen(ct);
    char *ctu;
    size_t ctulen;
    if (ctlen > (SIZE_MAX - 1) / 2)
        return -ENOMEM;
    ctu = sc_arena_alloc(arena, ctlen * 2 + 1);
    if (ctu == NULL)
        return -ENOMEM;
    ctulen = 0;
    for (size_t i = 0; i < ctlen; i++)
        ctulen += sc_utf8_encode1((unsigned char)ct[i], ctu + ctulen);
    ctu[ctulen] = '\0';

    sc_mimeopt want[1] = {{.key = "boundary"}};
    const char *mt;
    size_t mtl;
    int rc = sc_mimeopts_parse(arena, ctu, ctulen, &mt, &mtl, want, 1, &mp.exc);
    if (rc == -ENOMEM)
        return rc;
    if (rc != 0) {
        sc_mp_error(err, mp.exc.msg);
        return -EINVAL;
    }
    /* Only a multipart/form-data media type is parsed; anything else gives empty form/files. */
    static const char k_mt[] = "multipart/form-data";
    int is_mp = mtl == sizeof(k_mt) - 1;
    for (size_t i = 0; is_mp && i < mtl; i++) {
        char c = mt[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        is_mp = c == k_mt[i];
    }
    if (!is_mp)
        return sc_mp_empty(arena, out);
    if (want[0].state == SC_OPT_NONE) {
        /* options.get("boundary", "").encode("ascii") on None. */
        sc_mp_error(err, "'NoneType' object has no attribute 'encode'");
        return -EINVAL;
    }
    if (want[0].state == SC_OPT_ABSENT || want[0].len == 0)
        return sc_mp_empty(arena, out); /* ValueError("Missing boundary"), swallowed */
    for (size_t i = 0; i < want[0].len; i++)
        if ((unsigned char)want[0].val[i] >= 0x80)
            return sc_mp_empty(arena, out); /* UnicodeEncodeError, a ValueError, swallowed */

    mp.blen = want[0].len;
    mp.dlen = mp.blen + 2;
    mp.delim = sc_arena_alloc(arena, mp.dlen);
    if (mp.delim == NULL)
        return -ENOMEM;
    mp.delim[0] = '-';
    mp.delim[1] = '-';
    memcpy(mp.delim + 2, want[0].val, mp.blen);

    switch (sc_mp_run(&mp)) {
    case SC_MP_OK:
        return sc_mp_build(&mp, out, err);
    case SC_MP_SILENT:
        return sc_mp_empty(arena, out);
    case SC_MP_RAISE:
        sc_mp_error(err, mp.exc.msg);
        return -EINVAL;
    default:
        return -ENOMEM;
    }
}
