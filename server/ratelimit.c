/*
 * ratelimit.c - nereid-server's per-token request budget: a token bucket
 * for each token ID (RATE requests a second, up to BURST at once), so that
 * one runaway client cannot starve the others. A request over budget gets
 * 429 with Retry-After (http.c answers it). What this is not: metering or
 * quotas (nothing is stored; a restart refills every bucket), nor the
 * per-IP connection limits of libmicrohttpd (http.c), which come first.
 *
 * The table has a fixed number of slots; when it is full, the bucket idle
 * longest is taken over, which is harmless: an idle bucket is full anyway.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "server.h"

#define SRV_RATE_SLOTS 1024

struct srv_rate_slot {
        uint64_t id;   /* the token's ID; 0: free */
        double tokens; /* requests it may make now */
        double last;   /* when tokens was computed (monotonic seconds) */
};

struct srv_rate {
        double rate;  /* requests a second */
        double burst; /* most at once */
        pthread_mutex_t lock;
        struct srv_rate_slot slots[SRV_RATE_SLOTS];
};

int srv_rate_parse(const char *text, double *rate, double *burst)
{
        char *end = NULL;
        double r, b;

        if (!text || !*text)
                return -1;
        if (strcmp(text, "off") == 0) {
                *rate = *burst = 0;
                return 0;
        }
        r = strtod(text, &end);
        if (end == text || !(r > 0) || r > 1e9)
                return -1;
        if (*end == ':') {
                const char *p = end + 1;

                b = strtod(p, &end);
                if (end == p || *end || !(b >= 1) || b > 1e9)
                        return -1;
        } else if (*end) {
                return -1;
        } else {
                b = r * SRV_RATE_BURST_SECONDS;
                if (b < 1)
                        b = 1;
        }
        *rate = r;
        *burst = b;
        return 0;
}

struct srv_rate *srv_rate_new(double rate, double burst)
{
        struct srv_rate *r;

        if (!(rate > 0) || !(burst >= 1) || !(r = nrd_calloc(1, sizeof(*r))))
                return NULL;
        r->rate = rate;
        r->burst = burst;
        pthread_mutex_init(&r->lock, NULL);
        return r;
}

void srv_rate_free(struct srv_rate *r)
{
        if (!r)
                return;
        pthread_mutex_destroy(&r->lock);
        free(r);
}

double srv_rate_take(struct srv_rate *r, uint64_t id, double now)
{
        struct srv_rate_slot *slot = NULL, *oldest = NULL;
        double wait = 0;
        size_t i, start;

        if (!r || !id)
                return 0;
        pthread_mutex_lock(&r->lock);
        /* Open addressing from the ID's own slot; a free or the idlest one
         * is taken when the ID has none. */
        start = (size_t)(id * 0x9E3779B97F4A7C15ull % SRV_RATE_SLOTS);
        for (i = 0; i < SRV_RATE_SLOTS; i++) {
                struct srv_rate_slot *s = &r->slots[(start + i) % SRV_RATE_SLOTS];

                if (s->id == id) {
                        slot = s;
                        break;
                }
                if (!s->id) {
                        oldest = s;
                        break; /* the ID would have been placed here */
                }
                if (!oldest || (oldest->id && s->last < oldest->last))
                        oldest = s;
        }
        if (!slot) {
                slot = oldest;
                slot->id = id;
                slot->tokens = r->burst;
                slot->last = now;
        }
        if (now > slot->last) {
                slot->tokens += (now - slot->last) * r->rate;
                if (slot->tokens > r->burst)
                        slot->tokens = r->burst;
                slot->last = now;
        }
        if (slot->tokens >= 1)
                slot->tokens -= 1;
        else
                wait = (1 - slot->tokens) / r->rate;
        pthread_mutex_unlock(&r->lock);
        return wait;
}

double srv_rate_rate(const struct srv_rate *r)
{
        return r ? r->rate : 0;
}

double srv_rate_burst(const struct srv_rate *r)
{
        return r ? r->burst : 0;
}
