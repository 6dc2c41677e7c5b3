/* check_csv.h — assert that a CSV file a run wrote has only whole lines. */
#ifndef ARC_TEST_CHECK_CSV_H
#define ARC_TEST_CHECK_CSV_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every line of the CSV file at path is whole (`fields` fields, ends in a newline) and
 * its first column never goes back; returns the number of rows after the header. */
static inline int check_csv(const char *path, int fields)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[1024];
    long long last = -1;
    int rows = 0;
    for (int n = 0; fgets(line, sizeof line, f); n++) {
        cr_assert_eq(line[strlen(line) - 1], '\n', "%s:%d: torn line", path, n + 1);
        int commas = 0;
        for (const char *p = line; *p; p++) commas += *p == ',';
        cr_assert_eq(commas, fields - 1, "%s:%d: %d fields", path, n + 1, commas + 1);
        if (n == 0) continue;
        long long frames = atoll(line);
        cr_assert_geq(frames, last, "%s:%d: frames go back from %lld to %lld", path, n + 1, last,
                      frames);
        last = frames;
        rows++;
    }
    fclose(f);
    return rows;
}

#endif
