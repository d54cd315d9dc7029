#include "sc_reqbody.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sc_form.h"

/* Lower-cased media type without parameters and surrounding blanks, as Werkzeug's mimetype. */
static size_t sc_mimetype(const char *ct, char *buf, size_t size)
{
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++) {
        char c = ct[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    buf[n] = '\0';
    return n;
}

int sc_reqbody_is_json_type(const char *content_type)
{
    if (content_type == NULL)
        return 0;
    char mt[128];
    size_t n = sc_mimetype(content_type, mt, sizeof(mt));
    if (strcmp(mt, "application/json") == 0)
        return 1;
    return n > 17 && strncmp(mt, "application/", 12) == 0 && strcmp(mt + n - 5, "+json") == 0;
}

static int sc_is_form_type(const char *content_type)
{
    if (content_type == NULL)
        return 0;
    char mt[128];
    sc_mimetype(content_type, mt, sizeof(mt));
    return strcmp(mt, "application/x-www-form-urlencoded") == 0;
}

/* A JSON error while decoding a json= string is not caught by the original: its generic
 * handler answers 500 with str(exception). */
static int sc_parse_json_str(sc_arena *a, const char *s, size_t len, sc_body *out, sc_status *st)
{
    sc_json_error err;
    sc_json *doc = NULL;
    int rc = sc_json_parse(a, s, len, SC_JSON_DEFAULT_MAX_DEPTH, &doc, &err);
    if (rc == -ENOMEM)
        return rc;
    if (rc != 0) {
        sc_status_set(st, 500, SC_REASON_INTERNAL, "%s", err.message);
        return -EINVAL;
    }
    out->kind = SC_BODY_JSON;
    out->json = doc;
    return 0;
}

/* json.loads(bytes) guesses the encoding as json.detect_encoding does (BOMs, then the pattern
 * of zero bytes in the first four) and decodes with "surrogatepass". UTF-8 input is returned
 * in place (a UTF-8 BOM dropped); UTF-16/32 input is transcoded into the arena, lone surrogates
 * kept in their 3-byte form as the JSON parser expects. Returns 0, -EINVAL (undecodable), or
 * -ENOMEM. */
static int sc_body_to_utf8(sc_arena *a, const char **pb, size_t *plen)
{
    const unsigned char *b = (const unsigned char *)*pb;
    size_t n = *plen;
    int unit = 0, big = 0; /* 2 or 4 bytes per unit; 0 = UTF-8 */
    size_t skip = 0;
    if (n >= 4 && ((b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) ||
                   (b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0))) {
        unit = 4, big = b[0] == 0, skip = 4;
    } else if (n >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE))) {
        unit = 2, big = b[0] == 0xFE, skip = 2;
    } else if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        *pb += 3;
        *plen -= 3;
        return 0;
    } else if (n >= 4) {
        if (b[0] == 0)
            unit = b[1] ? 2 : 4, big = 1;
        else if (b[1] == 0)
            unit = (b[2] || b[3]) ? 2 : 4, big = 0;
    } else if (n == 2) {
        if (b[0] == 0)
            unit = 2, big = 1;
        else if (b[1] == 0)
            unit = 2, big = 0;
    }
    if (unit == 0)
        return 0;
    b += skip;
    n -= skip;
    if (n % (size_t)unit != 0)
        return -EINVAL;
    char *out = sc_arena_alloc(a, n / (size_t)unit * 4 + 1);
    if (out == NULL)
        return -ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i += (size_t)unit) {
        uint32_t cp;
        if (unit == 4) {
            cp = big ? ((uint32_t)b[i] << 24 | (uint32_t)b[i + 1] << 16 | (uint32_t)b[i + 2] << 8 | b[i + 3])
                     : ((uint32_t)b[i + 3] << 24 | (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 1] << 8 | b[i]);
            if (cp > 0x10FFFF)
                return -EINVAL;
        } else {
            cp = big ? ((uint32_t)b[i] << 8 | b[i + 1]) : ((uint32_t)b[i + 1] << 8 | b[i]);
            if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < n) {
                uint32_t lo = big ? ((uint32_t)b[i + 2] << 8 | b[i + 3]) : ((uint32_t)b[i + 3] << 8 | b[i + 2]);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 2;
                }
            }
        }
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | (cp >> 6));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | (cp >> 12));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (cp >> 18));
            out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    out[o] = '\0';
    *pb = out;
    *plen = o;
    return 0;
}

int sc_reqbody_decode(sc_arena *a, const sc_reqbody_in *in, sc_body *out, sc_status *st)
{
    memset(out, 0, sizeof(*out));
    const char *ct = in->content_type;

    /* 1. multipart/form-data: the original tests the raw header with a plain substring check,
     *    and decodes the parts even in passthrough mode. */
    if (ct != NULL && strstr(ct, "multipart/form-data") != NULL) {
        sc_form_error ferr;
        sc_json *doc = NULL;
        int rc = sc_multipart_decode(a, ct, in->body, in->body_len, &doc, &ferr);
        if (rc == -ENOMEM)
            return rc;
        if (rc != 0) {
            sc_status_set(st, ferr.status ? ferr.status : 400,
                          ferr.status == 500 ? SC_REASON_INTERNAL : SC_REASON_BAD_DATA, "%s", ferr.message);
            return -EINVAL;
        }
        out->kind = SC_BODY_JSON;
        out->json = doc;
        return 0;
    }

    /* 2./3. a non-empty json= form field, else a non-empty json= query parameter. */
    const char *jstr = NULL;
    size_t jlen = 0;
    if (sc_is_form_type(ct)) {
        int rc = sc_form_get(a, in->body, in->body_len, "json", &jstr, &jlen);
        if (rc < 0)
            return rc;
        if (rc == 0 || jlen == 0)
            jstr = NULL;
    }
    if (jstr == NULL && in->query != NULL) {
        int rc = sc_form_get(a, in->query, in->query_len, "json", &jstr, &jlen);
        if (rc < 0)
            return rc;
        if (rc == 0 || jlen == 0)
            jstr = NULL;
    }
    if (jstr != NULL) {
        if (in->passthrough) {
            out->kind = SC_BODY_PASS_STR;
            out->raw = jstr;
            out->raw_len = jlen;
            return 0;
        }
        return sc_parse_json_str(a, jstr, jlen, out, st);
    }

    /* 4. the body itself. */
    if (in->passthrough) {
        out->kind = SC_BODY_PASS_BYTES;
        out->raw = in->body ? in->body : "";
        out->raw_len = in->body_len;
        return 0;
    }
    if (!sc_reqbody_is_json_type(ct)) {
        /* Werkzeug < 2.3 returns None for a non-JSON content type (SPEC decision 5). */
        sc_status_set(st, 400, SC_REASON_BAD_DATA, "Can't find JSON in data");
        return -EINVAL;
    }
    const char *b = in->body ? in->body : "";
    size_t blen = in->body_len;
    int trc = sc_body_to_utf8(a, &b, &blen);
    if (trc == -ENOMEM)
        return trc;
    if (trc != 0) {
        sc_status_set(st, 400, SC_REASON_BAD_DATA, "Can't find JSON in data");
        return -EINVAL;
    }
    sc_json_error err;
    sc_json *doc = NULL;
    int rc = sc_json_parse(a, b, blen, SC_JSON_DEFAULT_MAX_DEPTH, &doc, &err);
    if (rc == -ENOMEM)
        return rc;
    if (rc != 0) {
        if (err.is_depth) {
            /* RecursionError is not a ValueError: Flask does not turn it into a 400. */
            sc_status_set(st, 500, SC_REASON_INTERNAL, "%s", err.message);
        } else {
            sc_status_set(st, 400, SC_REASON_BAD_DATA, "Can't find JSON in data");
        }
        return -EINVAL;
    }
    if (doc->type == SC_JSON_NULL) {
        sc_status_set(st, 400, SC_REASON_BAD_DATA, "Can't find JSON in data");
        return -EINVAL;
    }
    out->kind = SC_BODY_JSON;
    out->json = doc;
    return 0;
}
