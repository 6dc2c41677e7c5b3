/* progress.c — bar on a terminal, plain lines elsewhere (see progress.h). */
#include "progress.h"

#include <unistd.h>

#include "clock.h"

#define BAR_WIDTH 24
#define BAR_REDRAW_SECONDS 0.2

void arc_format_duration(double seconds, char *buf, size_t size)
{
    if (seconds < 0) seconds = 0;
    if (seconds < 60) snprintf(buf, size, "%.1fs", seconds);
    else if (seconds < 3600) snprintf(buf, size, "%dm%02ds", (int)seconds / 60, (int)seconds % 60);
    else snprintf(buf, size, "%dh%02dm", (int)seconds / 3600, (int)seconds % 3600 / 60);
}

void arc_progress_init(ArcProgress *p, FILE *out, const char *label, int64_t total,
                       double line_every)
{
    p->out = out;
    p->terminal = isatty(fileno(out));
    p->total = total;
    p->start = arc_seconds();
    p->last_draw = -1e9;
    p->line_every = line_every;
    p->label = label;
}

static void draw(ArcProgress *p, int64_t done, const char *extra, double now, bool final)
{
    double elapsed = now - p->start, rate = elapsed > 0 ? done / elapsed : 0;
    char elapsed_text[32], eta_text[32] = "?";
    arc_format_duration(elapsed, elapsed_text, sizeof elapsed_text);
    if (p->total > 0 && rate > 0) arc_format_duration((p->total - done) / rate, eta_text, sizeof eta_text);
    double fraction = p->total > 0 ? (double)done / (double)p->total : 0;
    if (fraction > 1) fraction = 1;
    if (p->terminal) {
        char bar[BAR_WIDTH + 1];
        int filled = (int)(fraction * BAR_WIDTH);
        for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(p->out, "\r\033[K%s [%s] %3.0f%% %lld frames  %.0f/s  %s  ETA %s%s%s", p->label,
                bar, 100 * fraction, (long long)done, rate, elapsed_text, eta_text,
                extra ? "  " : "", extra ? extra : "");
        if (final) fputc('\n', p->out);
    } else {
        fprintf(p->out, "%s: %lld/%lld frames (%.0f%%), %.0f frames/s, %s elapsed, ETA %s%s%s\n",
                p->label, (long long)done, (long long)p->total, 100 * fraction, rate,
                elapsed_text, eta_text, extra ? ", " : "", extra ? extra : "");
    }
    fflush(p->out);
    p->last_draw = now;
}

void arc_progress_update(ArcProgress *p, int64_t done, const char *extra)
{
    double now = arc_seconds();
    double every = p->terminal ? BAR_REDRAW_SECONDS : p->line_every;
    if (now - p->last_draw >= every) draw(p, done, extra, now, false);
}

void arc_progress_finish(ArcProgress *p, int64_t done, const char *extra)
{
    draw(p, done, extra, arc_seconds(), true);
}
