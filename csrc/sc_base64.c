/* sc_base64: standard base64 (RFC 4648 alphabet, '=' padding), encoding as base64.b64encode()
 * and decoding as base64.b64decode(str) (binascii.a2b_base64 in its default, non-strict mode).
 * See sc_form.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "sc_form.h"

static const char sc_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *sc_base64_encode(sc_arena *arena, const unsigned char *data, size_t len, size_t *out_len)
{
    if (len / 3 >= (SIZE_MAX - 1) / 4 - 1)
        return NULL;
    size_t n = (len + 2) / 3 * 4;
    char *out = sc_arena_alloc(arena, n + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[o++] = sc_b64_alphabet[v >> 18];
        out[o++] = sc_b64_alphabet[(v >> 12) & 63];
        out[o++] = sc_b64_alphabet[(v >> 6) & 63];
        out[o++] = sc_b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        out[o++] = sc_b64_alphabet[v >> 18];
        out[o++] = sc_b64_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        out[o++] = sc_b64_alphabet[v >> 18];
        out[o++] = sc_b64_alphabet[(v >> 12) & 63];
        out[o++] = sc_b64_alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    if (out_len != NULL)
        *out_len = o;
    return out;
}

static int sc_b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int sc_base64_decode(sc_arena *arena, const char *data, size_t len, unsigned char **out,
                     size_t *out_len, const char **err_msg)
{
    /* The error text carries a count; the API hands back a pointer, so it lives per thread. */
    static _Thread_local char count_msg[160];
    const unsigned char *in = (const unsigned char *)data;

    /* b64decode() is given a str: one that is not pure ASCII fails before binascii runs. */
    for (size_t i = 0; i < len; i++) {
        if (in[i] >= 0x80) {
            if (err_msg != NULL)
                *err_msg = "string argument should contain only ASCII characters";
            return -EINVAL;
        }
    }
    unsigned char *o = sc_arena_alloc(arena, len / 4 * 3 + 3);
    if (o == NULL)
        return -ENOMEM;
    size_t n = 0, quad = 0, pads = 0, chars = 0;
    unsigned left = 0; /* bits of the current group not yet emitted */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = in[i];
        if (c == '=') {
            /* Padding only counts once two data characters of a group are in; enough of it to
             * complete the group ends the data, and whatever follows is ignored. */
            if (quad >= 2 && quad + ++pads >= 4)
                goto done;
            continue;
        }
        int v = sc_b64_value(c);
        if (v < 0)
            continue; /* non-alphabet characters are discarded */
        chars++;
        pads = 0;
        switch (quad) {
        case 0:
            left = (unsigned)v;
            quad = 1;
            break;
        case 1:
            o[n++] = (unsigned char)((left << 2) | ((unsigned)v >> 4));
            left = (unsigned)v & 0x0F;
            quad = 2;
            break;
        case 2:
            o[n++] = (unsigned char)((left << 4) | ((unsigned)v >> 2));
            left = (unsigned)v & 0x03;
            quad = 3;
            break;
        default:
            o[n++] = (unsigned char)((left << 6) | (unsigned)v);
            quad = 0;
            break;
        }
    }
    if (quad == 1) {
        if (err_msg != NULL) {
            snprintf(count_msg, sizeof(count_msg),
                     "Invalid base64-encoded string: number of data characters (%zu) cannot "
                     "be 1 more than a multiple of 4",
                     chars);
            *err_msg = count_msg;
        }
        return -EINVAL;
    }
    if (quad != 0) {
        if (err_msg != NULL)
            *err_msg = "Incorrect padding";
        return -EINVAL;
    }
done:
    o[n] = '\0';
    *out = o;
    *out_len = n;
    return 0;
}
