/* ui.h - `nereid ui` (ui.c). */
#ifndef NEREID_CLI_UI_H
#define NEREID_CLI_UI_H

/* Run `nereid ui` with the command line; returns an exit code only when
 * nereid-server could not be started (or for --help and usage errors). */
int cli_ui(int argc, char **argv);

#endif
