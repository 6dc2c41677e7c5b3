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

int arc_flag_set(ArcFlag *flag, const char *text, const char *where, ArcErr *err)
{
    bool ranged = flag->min <= flag->max;
    char *end;
    errno = 0;
    if (flag->kind == ARC_FLAG_STRING) {
        *(const char **)flag->value = text;
        return ARC_OK;
    }
    if (flag->kind == ARC_FLAG_BOOL) {
        bool yes = !strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes");
        bool no = !strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no");
        if (!yes && !no)
            return arc_err_set(err, ARC_ERR_ARG, "%s%s expects true or false, got '%s'", where,
                               flag->name, text);
        *(bool *)flag->value = yes;
        return ARC_OK;
    }
    if (flag->kind == ARC_FLAG_INT) {
        long long v = strtoll(text, &end, 10);
        if (errno || end == text || *end != '\0')
            return arc_err_set(err, ARC_ERR_ARG, "%s%s expects an integer, got '%s'", where,
                               flag->name, text);
        if (ranged && (v < flag->min || v > flag->max))
            return arc_err_set(err, ARC_ERR_ARG, "%s%s must be in %.0f..%.0f, got %lld", where,
                               flag->name, flag->min, flag->max, v);
        *(int64_t *)flag->value = v;
        return ARC_OK;
    }
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0' || !isfinite(v))
        return arc_err_set(err, ARC_ERR_ARG, "%s%s expects a number, got '%s'", where,
                           flag->name, text);
    if (ranged && (v < flag->min || v > flag->max))
        return arc_err_set(err, ARC_ERR_ARG, "%s%s must be in [%g, %g], got %g", where,
                           flag->name, flag->min, flag->max, v);
    *(double *)flag->value = v;
    return ARC_OK;
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
        char where[128];
        ArcErr err;
        snprintf(where, sizeof where, "%s: --", cmd);
        if (arc_flag_set(flag, text, where, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return ARC_ARGS_ERROR;
        }
    }
    return ARC_ARGS_OK;
}
