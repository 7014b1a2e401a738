/*
 * ui.c - `nereid ui [--listen 127.0.0.1:8642] [--store LOCATION] [--preview-s3
 * BUCKET]...`: the web
 * UI of this machine's store, like `mlflow ui`. The CLI holds no HTTP
 * server: it replaces itself (exec) with the nereid-server installed beside
 * it, in its `ui` mode (loopback only, no token, read only; see
 * docs/internals/ui.md), so both tools share one server. Before that it
 * starts a browser on the UI's URL once the server answers, when one is
 * available ($BROWSER, else xdg-open with a display) and --no-browser is not
 * given. Not the place for the server or the UI (server/, web/).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "ui.h"

/* The browser to start: $BROWSER (one program, given the URL), else
 * xdg-open when there is a display to open it on; NULL: none. */
static const char *ui_browser(void)
{
        const char *browser = getenv("BROWSER");

        if (browser && *browser)
                return browser;
        if ((getenv("DISPLAY") && *getenv("DISPLAY")) ||
            (getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY")))
                return "xdg-open";
        return NULL;
}

/* Start the browser on http://LISTEN/ once something accepts connections
 * there (the server about to be exec'd), from a child of its own, so the
 * server stays this process. An IPv4 listen address with a port only; the
 * kernel's choice (port 0) cannot be known here and opens nothing. Waits at
 * most 10 s; the browser's own failure is its to report. */
static void ui_open_browser_later(const char *listen)
{
        const char *browser = ui_browser(), *colon = strrchr(listen, ':');
        char host[64], url[128];
        struct sockaddr_in addr;
        long port;
        pid_t pid;
        int i;

        if (!browser || !colon || (size_t)(colon - listen) >= sizeof(host))
                return;
        port = strtol(colon + 1, NULL, 10);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        if (!strcmp(host, "localhost"))
                snprintf(host, sizeof(host), "127.0.0.1");
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_port = htons((uint16_t)port);
        if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1)
                return;
        snprintf(url, sizeof(url), "http://%s:%ld/", host, port);
        fflush(NULL);
        if ((pid = fork()) != 0)
                return; /* the parent goes on to exec the server; a failed fork opens nothing */
        for (i = 0; i < 200; i++) {
                struct timespec wait = {0, 50 * 1000 * 1000};
                int fd = socket(AF_INET, SOCK_STREAM, 0);

                if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
                        close(fd);
                        execlp(browser, browser, url, (char *)NULL);
                        _exit(127);
                }
                if (fd >= 0)
                        close(fd);
                nanosleep(&wait, NULL);
        }
        _exit(0);
}

static int ui_usage(const char *why)
{
        fprintf(stderr,
                "nereid: ui: %s (usage: nereid ui [--listen 127.0.0.1:8642] [--store LOCATION] "
                "[--preview-s3 BUCKET]... [--no-browser])\n",
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
        int nbuckets = 0, b, browser = 1;
        ssize_t n;
        int i, k = 0;

        for (i = 2; i < argc; i++) {
                if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                        printf("usage: nereid ui [--listen 127.0.0.1:8642] [--store LOCATION] "
                               "[--preview-s3 BUCKET]... [--no-browser]\n"
                               "Serve this machine's store with the web UI on loopback, without "
                               "tokens, read only, and open it in a browser when one is available "
                               "($BROWSER, else xdg-open with a display).\n"
                               "--preview-s3: a bucket whose objects the UI may preview "
                               "(repeatable; default none).\n");
                        return 0;
                }
                if (!strcmp(argv[i], "--no-browser")) {
                        browser = 0;
                        continue;
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
        if (access(server, X_OK) == 0 && browser)
                ui_open_browser_later(listen);
        fflush(stdout);
        execv(server, args);
        fprintf(stderr, "nereid: ui: %s: cannot run it (%s); install nereid-server beside nereid\n",
                server, errno == ENOENT ? "not found" : "not executable");
        return 1;
}
