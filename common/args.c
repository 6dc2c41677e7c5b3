/* args.c — flag parsing (see args.h). */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_help(const char *usage, const ArcFlag *flags, int num_flags)
{
    printf("usage: %s\n\n", usage);
    for (int i = 0; i < num_flags; i++) {
        const char *arg = flags[i].kind == ARC_FLAG_BOOL     ? ""
                          : flags[i].kind == ARC_FLAG_STRING ? " S"
                          : flags[i].kind == ARC_FLAG_INT    ? " N"
                                                             : " X";
        char left[64];
        snprintf(left, sizeof left, "--%s%s", flags[i].name, arg);
        printf("  %-22s %s\n", left, flags[i].help);
    }
}

static int set_value(const char *cmd, ArcFlag *flag, const char *text)
{
    bool ranged = flag->min <= flag->max;
    char *end;
    errno = 0;
    if (flag->kind == ARC_FLAG_STRING) {
        *(const char **)flag->value = text;
        return ARC_ARGS_OK;
    }
    if (flag->kind == ARC_FLAG_INT) {
        long long v = strtoll(text, &end, 10);
        if (errno || end == text || *end != '\0') {
            fprintf(stderr, "%s: --%s expects an integer, got '%s'\n", cmd, flag->name, text);
            return ARC_ARGS_ERROR;
        }
        if (ranged && (v < flag->min || v > flag->max)) {
            fprintf(stderr, "%s: --%s must be in %.0f..%.0f, got %lld\n", cmd, flag->name,
                    flag->min, flag->max, v);
            return ARC_ARGS_ERROR;
        }
        *(int64_t *)flag->value = v;
        return ARC_ARGS_OK;
    }
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0' || !isfinite(v)) {
        fprintf(stderr, "%s: --%s expects a number, got '%s'\n", cmd, flag->name, text);
        return ARC_ARGS_ERROR;
    }
    if (ranged && (v < flag->min || v > flag->max)) {
        fprintf(stderr, "%s: --%s must be in [%g, %g], got %g\n", cmd, flag->name, flag->min,
                flag->max, v);
        return ARC_ARGS_ERROR;
    }
    *(double *)flag->value = v;
    return ARC_ARGS_OK;
}

int arc_args_parse(int argc, char **argv, ArcFlag *flags, int num_flags, const char *usage)
{
    const char *cmd = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(usage, flags, num_flags);
            return ARC_ARGS_HELP;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "%s: unexpected argument '%s' (flags start with --; see --help)\n",
                    cmd, arg);
            return ARC_ARGS_ERROR;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        ArcFlag *flag = NULL;
        for (int f = 0; f < num_flags; f++)
            if (strlen(flags[f].name) == len && strncmp(flags[f].name, name, len) == 0)
                flag = &flags[f];
        if (!flag) {
            fprintf(stderr, "%s: unknown flag '--%.*s' (see --help)\n", cmd, (int)len, name);
            return ARC_ARGS_ERROR;
        }
        flag->seen = true;
        if (flag->kind == ARC_FLAG_BOOL) {
            if (eq) {
                fprintf(stderr, "%s: --%s takes no value\n", cmd, flag->name);
                return ARC_ARGS_ERROR;
            }
            *(bool *)flag->value = true;
            continue;
        }
        const char *text = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!text) {
            fprintf(stderr, "%s: --%s needs a value\n", cmd, flag->name);
            return ARC_ARGS_ERROR;
        }
        int status = set_value(cmd, flag, text);
        if (status) return status;
    }
    return ARC_ARGS_OK;
}
