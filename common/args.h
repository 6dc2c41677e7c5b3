/* args.h — `--name value` flag parsing shared by every subcommand.
 *
 * A command declares a table of ArcFlag (name without dashes, kind, where to store, help)
 * and calls arc_args_parse. Unknown flags, missing values and values that do not parse or
 * fall outside [min, max] produce one line on stderr naming the flag and what was
 * expected. `--help` prints the table. Values may also be written `--name=value`.
 */
#ifndef ARC_ARGS_H
#define ARC_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

typedef enum { ARC_FLAG_INT, ARC_FLAG_DOUBLE, ARC_FLAG_STRING, ARC_FLAG_BOOL } ArcFlagKind;

typedef struct ArcFlag {
    const char *name;  /* "game" for --game */
    ArcFlagKind kind;
    void *value;       /* int64_t*, double*, const char**, bool* (BOOL takes no value) */
    double min, max;   /* inclusive range for INT and DOUBLE; ignored when min > max */
    const char *help;
    bool seen;         /* set by the parser */
} ArcFlag;

enum { ARC_ARGS_OK = 0, ARC_ARGS_HELP = 1, ARC_ARGS_ERROR = 2 };

/* Parses argv[1..argc) (argv[0] is the command name used in messages). Returns
 * ARC_ARGS_OK, ARC_ARGS_HELP (help printed to stdout) or ARC_ARGS_ERROR (one line printed
 * to stderr). Positional arguments are not accepted. */
int arc_args_parse(int argc, char **argv, ArcFlag *flags, int num_flags, const char *usage);

/* Parses text into flag->value as the flag's kind (BOOL accepts true/false/1/0/yes/no)
 * and checks the range. On failure returns ARC_ERR_ARG with "<where><name> expects ..."
 * in err; where is e.g. "arcade train: --" or "run.ini:12: ". */
int arc_flag_set(ArcFlag *flag, const char *text, const char *where, ArcErr *err);

#endif
