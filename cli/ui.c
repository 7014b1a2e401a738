/*
 * ui.c - `nereid ui [--listen 127.0.0.1:8642] [--store LOCATION] [--preview-s3
 * BUCKET]...`: the web
 * UI of this machine's store, like `mlflow ui`. The CLI holds no HTTP
 * server: it replaces itself (exec) with the nereid-server installed beside
 * it, in its `ui` mode (loopback only, no token, read only; see
 * docs/internals/ui.md), so both tools share one server. Not the place for
 * the server or the UI (server/, web/).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ui.h"

static int ui_usage(const char *why)
{
        fprintf(stderr,
                "nereid: ui: %s (usage: nereid ui [--listen 127.0.0.1:8642] [--store LOCATION] "
                "[--preview-s3 BUCKET]...)\n",
                why);
        return 2;
}

int cli_ui(int argc, char **argv)
{
        const char *listen = "127.0.0.1:8642", *store = NULL;
        char self[PATH_MAX], server[PATH_MAX + 32];
        /* The server's --preview-s3 takes at most 64 buckets, as here. */
        char *args[6 + 2 * 64 + 1], *slash;
        const char *buckets[64];
        int nbuckets = 0, b;
        ssize_t n;
        int i, k = 0;

        for (i = 2; i < argc; i++) {
                if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                        printf("usage: nereid ui [--listen 127.0.0.1:8642] [--store LOCATION] "
                               "[--preview-s3 BUCKET]...\n"
                               "Serve this machine's store with the web UI on loopback, without "
                               "tokens, read only.\n"
                               "--preview-s3: a bucket whose objects the UI may preview "
                               "(repeatable; default none).\n");
                        return 0;
                }
                if ((!strcmp(argv[i], "--listen") || !strcmp(argv[i], "--store")) && i + 1 < argc) {
                        if (argv[i][2] == 'l')
                                listen = argv[++i];
                        else
                                store = argv[++i];
                        continue;
                }
                if (!strcmp(argv[i], "--preview-s3") && i + 1 < argc) {
                        if (nbuckets == 64)
                                return ui_usage("--preview-s3: more than 64 buckets");
                        buckets[nbuckets++] = argv[++i];
                        continue;
                }
                return ui_usage(argv[i][0] == '-' ? "unknown option, or one without its value"
                                                  : "takes no argument");
        }
        if (store && (!strncmp(store, "http://", 7) || !strncmp(store, "https://", 8)))
                return ui_usage("--store: a server has its own UI at its URL; nereid ui serves "
                                "this machine's store");
        if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
                fprintf(stderr, "nereid: ui: cannot find where nereid is installed\n");
                return 1;
        }
        self[n] = '\0';
        if ((slash = strrchr(self, '/')))
                *slash = '\0';
        snprintf(server, sizeof(server), "%s/nereid-server", self);
        args[k++] = server;
        args[k++] = "ui";
        args[k++] = "--listen";
        args[k++] = (char *)listen;
        if (store) {
                args[k++] = "--store";
                args[k++] = (char *)store;
        }
        for (b = 0; b < nbuckets; b++) {
                args[k++] = "--preview-s3";
                args[k++] = (char *)buckets[b];
        }
        args[k] = NULL;
        fflush(stdout);
        execv(server, args);
        fprintf(stderr, "nereid: ui: %s: cannot run it (%s); install nereid-server beside nereid\n",
                server, errno == ENOENT ? "not found" : "not executable");
        return 1;
}
