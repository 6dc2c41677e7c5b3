/* overfit_results.c — points and their CSV files (see overfit_results.h). One column
 * table drives the header, the writer and the reader. */
#include "overfit_results.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "overfit_plan.h"

typedef enum { COL_TEXT, COL_LEVELS, COL_INT, COL_REAL } ColKind;

typedef struct Column {
    const char *name;
    ColKind kind;
    size_t offset;
} Column;

#define AT(f) offsetof(ArcOverfitPoint, f)
static const Column columns[] = {
    {"cell", COL_TEXT, AT(cell)},
    {"width", COL_REAL, AT(width)},
    {"levels", COL_LEVELS, AT(levels)},
    {"run", COL_INT, AT(run)},
    {"seed", COL_INT, AT(seed)},
    {"params", COL_INT, AT(params)},
    {"flops_per_forward", COL_REAL, AT(flops_per_forward)},
    {"frames", COL_INT, AT(frames)},
    {"final", COL_INT, AT(final)},
    {"wall_s", COL_REAL, AT(wall_s)},
    {"train_return", COL_REAL, AT(train_return)},
    {"test_return", COL_REAL, AT(test_return)},
    {"gap", COL_REAL, AT(gap)},
    {"gap_norm", COL_REAL, AT(gap_norm)},
    {"online_return", COL_REAL, AT(online_return)},
    {"kappa", COL_REAL, AT(kappa)},
    {"spectral_product", COL_REAL, AT(spectral_product)},
    {"agree_fp16", COL_REAL, AT(agreement[ARC_PREC_FP16])},
    {"agree_bf16", COL_REAL, AT(agreement[ARC_PREC_BF16])},
    {"agree_int8", COL_REAL, AT(agreement[ARC_PREC_INT8])},
    {"return_fp32", COL_REAL, AT(return_fp32)},
    {"return_fp16", COL_REAL, AT(return_prec[ARC_PREC_FP16])},
    {"return_bf16", COL_REAL, AT(return_prec[ARC_PREC_BF16])},
    {"return_int8", COL_REAL, AT(return_prec[ARC_PREC_INT8])},
    {"return_fgsm", COL_REAL, AT(return_fgsm)},
    {"fgsm_epsilon", COL_REAL, AT(fgsm_epsilon)},
    {"min_eps_median", COL_REAL, AT(min_eps_median)},
    {"min_eps_q25", COL_REAL, AT(min_eps_q25)},
    {"min_eps_q75", COL_REAL, AT(min_eps_q75)},
    {"never_flipped", COL_REAL, AT(never_flipped)},
};
#define NUM_COLUMNS (int)(sizeof columns / sizeof columns[0])

void arc_overfit_point_clear(ArcOverfitPoint *p)
{
    memset(p, 0, sizeof *p);
    for (int c = 0; c < NUM_COLUMNS; c++)
        if (columns[c].kind == COL_REAL) *(double *)((char *)p + columns[c].offset) = NAN;
}

void arc_overfit_point_gap(ArcOverfitPoint *p)
{
    p->gap = p->train_return - p->test_return; /* NAN propagates */
    p->gap_norm = p->gap / fmax(fabs(p->train_return), 1.0);
}

const char *arc_overfit_csv_header(void)
{
    static char header[1024];
    if (!header[0])
        for (int c = 0; c < NUM_COLUMNS; c++) {
            if (c) strcat(header, ",");
            strcat(header, columns[c].name);
        }
    return header;
}

void arc_overfit_csv_row(const ArcOverfitPoint *p, FILE *out)
{
    for (int c = 0; c < NUM_COLUMNS; c++) {
        const void *field = (const char *)p + columns[c].offset;
        if (c) fputc(',', out);
        switch (columns[c].kind) {
        case COL_TEXT: fputs((const char *)field, out); break;
        case COL_INT: fprintf(out, "%lld", (long long)*(const int64_t *)field); break;
        case COL_LEVELS: {
            char label[32];
            arc_overfit_levels_label(*(const int64_t *)field, label, sizeof label);
            fputs(label, out);
            break;
        }
        case COL_REAL: {
            double v = *(const double *)field;
            if (isfinite(v)) fprintf(out, "%.9g", v);
            break;
        }
        }
    }
    fputc('\n', out);
}

int arc_overfit_write_points(const char *path, const ArcOverfitPoint *points, int count, ArcErr *err)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    fprintf(f, "%s\n", arc_overfit_csv_header());
    for (int i = 0; i < count; i++) arc_overfit_csv_row(&points[i], f);
    bool ok = !ferror(f);
    ok = fclose(f) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return ARC_OK;
}

static int parse_field(ArcOverfitPoint *p, const Column *col, const char *text)
{
    void *field = (char *)p + col->offset;
    char *end;
    errno = 0;
    switch (col->kind) {
    case COL_TEXT:
        if (strlen(text) >= sizeof p->cell) return -1;
        strcpy(field, text);
        return 0;
    case COL_LEVELS:
        if (!strcmp(text, "inf")) *(int64_t *)field = ARC_OVERFIT_LEVELS_INF;
        else if (!strcmp(text, "off")) *(int64_t *)field = ARC_OVERFIT_LEVELS_OFF;
        else {
            *(int64_t *)field = strtoll(text, &end, 10);
            if (end == text || *end || errno) return -1;
        }
        return 0;
    case COL_INT:
        *(int64_t *)field = strtoll(text, &end, 10);
        return end == text || *end || errno ? -1 : 0;
    case COL_REAL:
        if (!text[0]) {
            *(double *)field = NAN;
            return 0;
        }
        *(double *)field = strtod(text, &end);
        return end == text || *end || errno ? -1 : 0;
    }
    return -1;
}

int arc_overfit_read_points(const char *path, ArcOverfitPoint **points, int *count, ArcErr *err)
{
    FILE *f = fopen(path, "r");
    if (!f) return arc_err_set(err, ARC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char line[4096];
    int status = ARC_OK, line_no = 1;
    if (!fgets(line, sizeof line, f) || strcspn(line, "\r\n") != strlen(arc_overfit_csv_header()) ||
        strncmp(line, arc_overfit_csv_header(), strlen(arc_overfit_csv_header())) != 0)
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s:1: expected the header %s", path,
                             arc_overfit_csv_header());
    while (!status && fgets(line, sizeof line, f)) {
        line_no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) continue;
        ArcOverfitPoint p;
        arc_overfit_point_clear(&p);
        char *field = line;
        for (int c = 0; c < NUM_COLUMNS && !status; c++) {
            char *comma = strchr(field, ',');
            if ((c < NUM_COLUMNS - 1) != (comma != NULL)) {
                status = arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: expected %d fields", path,
                                     line_no, NUM_COLUMNS);
                break;
            }
            if (comma) *comma = '\0';
            if (parse_field(&p, &columns[c], field))
                status = arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: bad %s '%s'", path, line_no,
                                     columns[c].name, field);
            field = comma ? comma + 1 : field;
        }
        if (status) break;
        *points = realloc(*points, sizeof **points * (size_t)(*count + 1));
        ARC_CHECK(*points, "out of memory");
        (*points)[(*count)++] = p;
    }
    fclose(f);
    return status;
}
