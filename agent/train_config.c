/* train_config.c — defaults, INI files and flags for training runs (see train_config.h). */
#include "train_config.h"

#include <ctype.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "../common/args.h"
#include "../common/dist.h"
#include "../env/game.h"
#include "../env/level.h"

/* KEY_LEVELS: off | N | inf, stored as an int64 (env/level.h) */
typedef enum { KEY_INT, KEY_DOUBLE, KEY_TEXT, KEY_BOOL, KEY_LEVELS } KeyKind;

typedef struct Key {
    const char *name;
    KeyKind kind;
    size_t offset, size;  /* size: buffer bytes for KEY_TEXT */
    double min, max;      /* numeric range */
    const char *choices;  /* KEY_TEXT: "a|b" or NULL for free text */
    const char *help;
} Key;

#define FIELD(f) offsetof(ArcTrainConfig, f), sizeof(((ArcTrainConfig *)0)->f)
#define BIG 1e15

static const Key keys[] = {
    {"algo", KEY_TEXT, FIELD(algo), 0, 0, "a3c|dqn", "algorithm"},
    {"game", KEY_TEXT, FIELD(game), 0, 0, NULL, "game: asterix|breakout|freeway|seaquest|space_invaders"},
    {"frames", KEY_INT, FIELD(frames), 1, BIG, NULL, "agent steps of all actors together"},
    {"threads", KEY_INT, FIELD(threads), 1, 256, NULL, "actor threads"},
    {"envs-per-thread", KEY_INT, FIELD(envs_per_thread), 1, 4096, NULL, "envs stepped by each actor"},
    {"rollout", KEY_INT, FIELD(rollout), 1, 1000, NULL, "n-step rollout length"},
    {"lr", KEY_DOUBLE, FIELD(lr), 1e-9, 1, NULL, "learning rate"},
    {"lr-schedule", KEY_TEXT, FIELD(lr_schedule), 0, 0, "constant|linear", "learning-rate schedule"},
    {"lr-warmup", KEY_INT, FIELD(lr_warmup), 0, BIG, NULL, "updates over which lr ramps up linearly from lr/N (0: none)"},
    {"gamma", KEY_DOUBLE, FIELD(gamma), 0, 1, NULL, "discount"},
    {"entropy", KEY_DOUBLE, FIELD(entropy), 0, 10, NULL, "entropy bonus coefficient"},
    {"entropy-end", KEY_DOUBLE, FIELD(entropy_end), 0, 10, NULL, "entropy coefficient at the last frame, linear from entropy"},
    {"value-coef", KEY_DOUBLE, FIELD(value_coef), 0, 100, NULL, "value-loss coefficient"},
    {"clip", KEY_DOUBLE, FIELD(clip), 0, 1e6, NULL, "gradient global-norm clip (0: off)"},
    {"rms-alpha", KEY_DOUBLE, FIELD(rms_alpha), 0, 0.999999, NULL, "RMSProp decay"},
    {"rms-eps", KEY_DOUBLE, FIELD(rms_eps), 1e-12, 1, NULL, "optimizer epsilon (RMSProp, or Adam with optimizer adam)"},
    {"optimizer", KEY_TEXT, FIELD(optimizer), 0, 0, "rmsprop|adam", "dqn: centered RMSProp or Adam (beta 0.9, 0.999)"},
    {"k", KEY_DOUBLE, FIELD(k), 0.125, 16, NULL, "network width multiplier"},
    {"device", KEY_TEXT, FIELD(device), 0, 0, "cpu|gpu", "where the learner runs"},
    {"seed", KEY_INT, FIELD(seed), 0, 4294967295.0, NULL, "seed of every random stream"},
    {"out", KEY_TEXT, FIELD(out), 0, 0, NULL, "run directory (default runs/<game>-<algo>)"},
    {"checkpoint-every", KEY_INT, FIELD(checkpoint_every), 0, BIG, NULL, "frames between checkpoints (0: final only)"},
    {"checkpoint-log", KEY_INT, FIELD(checkpoint_log), 0, 100, NULL, "also checkpoint at round(10^(j/P)) frames >= 1000, P per decade (0: off)"},
    {"update", KEY_TEXT, FIELD(update), 0, 0, "hogwild|locked", "how actors apply gradients"},
    {"sync", KEY_BOOL, FIELD(sync), 0, 0, NULL, "deterministic synchronous updates"},
    {"learner", KEY_TEXT, FIELD(learner), 0, 0, "async|batched", "a3c: actors apply gradients, or one learner trains on their rollouts (gpu: batched)"},
    {"sticky", KEY_DOUBLE, FIELD(sticky), 0, 1, NULL, "sticky-action probability"},
    {"train-levels", KEY_LEVELS, FIELD(train_levels), 0, 0, NULL, "levels to train on: off (MinAtar), N or inf"},
    {"variant", KEY_TEXT, FIELD(variant), 0, 0, "standard|procedural", "game variant (procedural: breakout, space_invaders)"},
    {"dist", KEY_TEXT, FIELD(dist), 0, 0, "allreduce|ps", "across MPI ranks (bin/arcade-mpi): gradient exchange"},
    {"dist-check-every", KEY_INT, FIELD(dist_check_every), 0, BIG, NULL, "MPI: updates between parameter checks across ranks (0: never)"},
    {"preset", KEY_TEXT, FIELD(preset), 0, 0, "none|minatar", "dqn: minatar = MinAtar's DQN (spec 5.1) for unset keys"},
    {"batch", KEY_INT, FIELD(batch), 1, 4096, NULL, "dqn: minibatch size"},
    {"replay", KEY_INT, FIELD(replay), 1, 1e9, NULL, "dqn: replay capacity in transitions"},
    {"target-every", KEY_INT, FIELD(target_every), 1, BIG, NULL, "dqn: updates between target copies"},
    {"learn-start", KEY_INT, FIELD(learn_start), 0, BIG, NULL, "dqn: frames of random play first"},
    {"eps-start", KEY_DOUBLE, FIELD(eps_start), 0, 1, NULL, "dqn: initial exploration epsilon"},
    {"eps-end", KEY_DOUBLE, FIELD(eps_end), 0, 1, NULL, "dqn: final exploration epsilon"},
    {"eps-frames", KEY_INT, FIELD(eps_frames), 0, BIG, NULL, "dqn: frames of the linear epsilon decay"},
    {"replay-ratio", KEY_DOUBLE, FIELD(replay_ratio), 1e-6, 1e3, NULL, "dqn: learner updates per frame"},
    {"n-step", KEY_INT, FIELD(n_step), 1, 100, NULL, "dqn: n-step returns"},
    {"double", KEY_BOOL, FIELD(double_dqn), 0, 0, NULL, "dqn: double DQN targets"},
    {"dueling", KEY_BOOL, FIELD(dueling), 0, 0, NULL, "dqn: dueling head (value + advantage streams)"},
    {"prioritized", KEY_BOOL, FIELD(prioritized), 0, 0, NULL, "dqn: prioritized replay"},
    {"per-alpha", KEY_DOUBLE, FIELD(per_alpha), 0, 10, NULL, "dqn: priority exponent"},
    {"per-beta", KEY_DOUBLE, FIELD(per_beta), 0, 1, NULL, "dqn: initial importance-sampling exponent"},
    {"huber", KEY_DOUBLE, FIELD(huber), 1e-6, 1e6, NULL, "dqn: Huber loss threshold"},
    {"actor-sync", KEY_INT, FIELD(actor_sync), 1, BIG, NULL, "dqn: updates between actor refreshes"},
    {"on-nonfinite", KEY_TEXT, FIELD(on_nonfinite), 0, 0, "stop|rollback",
     "on a NaN/Inf gradient or parameter: stop, or restore the last checkpoint's state and halve lr"},
    {"max-rollbacks", KEY_INT, FIELD(max_rollbacks), 0, 1000, NULL, "rollbacks before stopping anyway"},
};
_Static_assert(sizeof keys / sizeof keys[0] <= 64, "explicit_keys has 64 bits");
#define NUM_KEYS (int)(sizeof keys / sizeof keys[0])

void arc_train_config_defaults(ArcTrainConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->algo, "a3c");
    strcpy(cfg->game, "breakout");
    cfg->frames = 5000000;
    cfg->threads = 2;
    cfg->envs_per_thread = 32;
    cfg->rollout = 5;
    cfg->lr = 2e-3;
    strcpy(cfg->lr_schedule, "constant");
    cfg->lr_warmup = 100;
    cfg->gamma = 0.99;
    cfg->entropy = 0.02;
    cfg->entropy_end = 0;
    cfg->value_coef = 0.5;
    cfg->clip = 40;
    cfg->rms_alpha = 0.99;
    cfg->rms_eps = 1e-5;
    strcpy(cfg->optimizer, "rmsprop");
    cfg->k = 1;
    strcpy(cfg->device, "cpu");
    cfg->seed = 1;
    cfg->out[0] = '\0'; /* derived: runs/<game>-<algo> */
    cfg->checkpoint_every = 1000000;
    strcpy(cfg->update, "hogwild");
    cfg->sync = false;
    strcpy(cfg->learner, "async");
    cfg->sticky = 0.1;
    cfg->train_levels = ARC_LEVELS_OFF;
    strcpy(cfg->variant, "standard");
    strcpy(cfg->dist, "allreduce");
    cfg->dist_check_every = 100;
    strcpy(cfg->preset, "none");
    cfg->batch = 32;
    cfg->replay = 100000;
    cfg->target_every = 1000;
    cfg->learn_start = 5000;
    cfg->eps_start = 1.0;
    cfg->eps_end = 0.1;
    cfg->eps_frames = 100000;
    cfg->replay_ratio = 1.0;
    cfg->n_step = 1;
    cfg->per_alpha = 0.6;
    cfg->per_beta = 0.4;
    cfg->huber = 1.0;
    cfg->actor_sync = 100;
    strcpy(cfg->on_nonfinite, "stop");
    cfg->max_rollbacks = 3;
}

static const Key *find_key(const char *name)
{
    for (int i = 0; i < NUM_KEYS; i++) {
        if (strcmp(keys[i].name, name) == 0) return &keys[i];
        /* INI files may spell keys with underscores: envs_per_thread */
        size_t n = strlen(keys[i].name);
        if (strlen(name) != n) continue;
        bool same = true;
        for (size_t c = 0; c < n && same; c++)
            same = name[c] == keys[i].name[c] || (name[c] == '_' && keys[i].name[c] == '-');
        if (same) return &keys[i];
    }
    return NULL;
}

static bool in_choices(const char *choices, const char *text)
{
    size_t n = strlen(text);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, text, n) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

/* Whether text reads back unchanged from a `key = text` line of an INI file: inih strips
 * surrounding space and takes ';' after a space (or at the start) as a comment. */
static bool ini_safe(const char *text)
{
    size_t n = strlen(text);
    if (n && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[n - 1]))) return false;
    for (size_t i = 0; i < n; i++) {
        if (iscntrl((unsigned char)text[i])) return false;
        if (text[i] == ';' && (i == 0 || isspace((unsigned char)text[i - 1]))) return false;
    }
    return true;
}

/* where: "arcade train: --" or "file:line: "; names the key in every message. */
static int set_key(ArcTrainConfig *cfg, const Key *key, const char *text, const char *where,
                   ArcErr *err)
{
    void *field = (char *)cfg + key->offset;
    cfg->explicit_keys |= 1ull << (key - keys);
    if (key->kind == KEY_TEXT) {
        if (key->choices && !in_choices(key->choices, text))
            return arc_err_set(err, ARC_ERR_ARG, "%s%s expects one of %s, got '%s'", where,
                               key->name, key->choices, text);
        if (strlen(text) >= key->size)
            return arc_err_set(err, ARC_ERR_ARG, "%s%s is longer than %zu characters", where,
                               key->name, key->size - 1);
        size_t line_max = INI_MAX_LINE - 1 - strlen(key->name) - 3; /* "name = text" */
        if (strlen(text) > line_max)
            return arc_err_set(err, ARC_ERR_ARG, "%s%s is longer than %zu characters (the most "
                               "a config.ini line holds)", where, key->name, line_max);
        if (!ini_safe(text))
            return arc_err_set(err, ARC_ERR_ARG, "%s%s '%s' cannot be kept in config.ini (expected "
                               "no control characters, no leading or trailing space, no ';' at "
                               "the start or after a space)", where, key->name, text);
        strcpy(field, text);
        return ARC_OK;
    }
    if (key->kind == KEY_LEVELS) return arc_levels_parse(text, field, where, err);
    ArcFlagKind kind = key->kind == KEY_INT      ? ARC_FLAG_INT
                       : key->kind == KEY_DOUBLE ? ARC_FLAG_DOUBLE
                                                 : ARC_FLAG_BOOL;
    ArcFlag flag = {key->name, kind, field, key->min, key->max, key->help, false};
    return arc_flag_set(&flag, text, where, err);
}

int arc_train_config_set(ArcTrainConfig *cfg, const char *name, const char *text, ArcErr *err)
{
    const Key *key = find_key(name);
    if (!key) return arc_err_set(err, ARC_ERR_ARG, "unknown key '%s'", name);
    return set_key(cfg, key, text, "", err);
}

const char *arc_train_config_key_name(const char *name)
{
    const Key *key = find_key(name);
    return key ? key->name : NULL;
}

typedef struct IniContext {
    ArcTrainConfig *cfg;
    ArcErr *err;
    int status;
} IniContext;

static int on_ini_pair(void *user, const char *section, const char *name, const char *value)
{
    IniContext *ctx = user;
    if (section[0] && strcmp(section, "train") != 0) {
        ctx->status = arc_err_set(ctx->err, ARC_ERR_FORMAT,
                                  "unknown section [%s] (expected [train] or none)", section);
        return 0;
    }
    const Key *key = find_key(name);
    if (!key) {
        ctx->status = arc_err_set(ctx->err, ARC_ERR_FORMAT, "unknown key '%s'", name);
        return 0;
    }
    ArcErr inner;
    if (set_key(ctx->cfg, key, value, "", &inner)) {
        ctx->status = arc_err_set(ctx->err, ARC_ERR_FORMAT, "%s", inner.msg);
        return 0;
    }
    return 1;
}

/* The outcome of ini_parse or ini_parse_string on path. */
static int ini_status(int line, const char *path, const ArcErr *detail, ArcErr *err)
{
    if (line == -1) return arc_err_set(err, ARC_ERR_IO, "%s: cannot open", path);
    if (line == -2) return arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory", path);
    if (line > 0)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: %s", path, line,
                           detail->msg[0] ? detail->msg : "expected 'key = value'");
    return ARC_OK;
}

int arc_train_config_load(ArcTrainConfig *cfg, const char *path, ArcErr *err)
{
    ArcErr detail = {{0}};
    IniContext ctx = {cfg, &detail, ARC_OK};
    return ini_status(ini_parse(path, on_ini_pair, &ctx), path, &detail, err);
}

int arc_train_config_load_text(ArcTrainConfig *cfg, const char *text, const char *name,
                               ArcErr *err)
{
    ArcErr detail = {{0}};
    IniContext ctx = {cfg, &detail, ARC_OK};
    return ini_status(ini_parse_string(text, on_ini_pair, &ctx), name, &detail, err);
}

/* The value of key in cfg as text; exact (round-trips) for files, short for help. */
static void format_value(const ArcTrainConfig *cfg, const Key *key, bool exact, char *buf, size_t size)
{
    const void *field = (const char *)cfg + key->offset;
    switch (key->kind) {
    case KEY_INT: snprintf(buf, size, "%lld", (long long)*(const int64_t *)field); break;
    case KEY_DOUBLE: snprintf(buf, size, exact ? "%.17g" : "%g", *(const double *)field); break;
    case KEY_BOOL: snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false"); break;
    case KEY_TEXT: snprintf(buf, size, "%s", (const char *)field); break;
    case KEY_LEVELS: arc_levels_format(*(const int64_t *)field, buf, size); break;
    }
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: arcade train [--config FILE] [--key value ...] [--force]\n"
                 "       arcade train --resume DIR [--key value ...]\n\n"
                 "A new run refuses an --out directory that already holds a run unless --force\n"
                 "(which starts it over).\n"
                 "Flags override the config file; every key may also appear in the file as\n"
                 "`key = value`. --resume DIR continues DIR's run from its latest checkpoint\n"
                 "with DIR/config.ini (flags such as a larger --frames apply on top).\n\n");
    ArcTrainConfig defaults;
    arc_train_config_defaults(&defaults);
    for (int i = 0; i < NUM_KEYS; i++) {
        char left[64], value[64];
        snprintf(left, sizeof left, "--%s%s", keys[i].name, keys[i].kind == KEY_BOOL ? "" : " V");
        format_value(&defaults, &keys[i], false, value, sizeof value);
        fprintf(out, "  %-22s %s", left, keys[i].help);
        if (keys[i].choices) fprintf(out, ": %s", keys[i].choices);
        if (keys[i].kind != KEY_BOOL && value[0]) fprintf(out, " (default %s)", value);
        fputc('\n', out);
    }
}

int arc_train_config_parse_args(ArcTrainConfig *cfg, int argc, char **argv, FILE *help_out,
                                ArcErr *err)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            print_help(help_out);
            return 1;
        }
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                return arc_err_set(err, ARC_ERR_ARG, "%s: --config needs a value", argv[0]);
            int status = arc_train_config_load(cfg, argv[i + 1], err);
            if (status) return status;
        }
    }
    char where[128];
    snprintf(where, sizeof where, "%s: --", argv[0]);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0)
            return arc_err_set(err, ARC_ERR_ARG, "%s: unexpected argument '%s' (see --help)",
                               argv[0], argv[i]);
        const Key *key = find_key(argv[i] + 2);
        if (!key)
            return arc_err_set(err, ARC_ERR_ARG, "%s: unknown flag '%s' (see --help)", argv[0],
                               argv[i]);
        const char *text = "true";
        if (key->kind != KEY_BOOL) {
            if (i + 1 >= argc)
                return arc_err_set(err, ARC_ERR_ARG, "%s: --%s needs a value", argv[0], key->name);
            text = argv[++i];
        }
        int status = set_key(cfg, key, text, where, err);
        if (status) return status;
    }
    return ARC_OK;
}

/* MinAtar's DQN (spec §5.1) where it differs from the shared defaults. */
static const struct {
    const char *key, *value;
} dqn_defaults[] = {
    {"lr", "0.00025"}, {"lr-warmup", "0"}, {"rms-alpha", "0.95"}, {"rms-eps", "0.01"}, {"clip", "0"},
    {"threads", "1"}, {"envs-per-thread", "1"}, {"checkpoint-every", "1000000"},
};

int arc_train_config_finish(ArcTrainConfig *cfg, ArcErr *err)
{
    if (!arc_game_find(cfg->game))
        return arc_err_set(err, ARC_ERR_ARG, "unknown game '%s' (expected one of: %s)",
                           cfg->game, arc_game_names());
    if (!arc_game_find_variant(cfg->game, cfg->variant))
        return arc_err_set(err, ARC_ERR_ARG,
                           "game %s has no variant '%s' (procedural exists for breakout and "
                           "space_invaders)", cfg->game, cfg->variant);
    bool dqn = strcmp(cfg->algo, "dqn") == 0;
    if (strcmp(cfg->preset, "minatar") == 0 && !dqn)
        return arc_err_set(err, ARC_ERR_ARG, "preset minatar is MinAtar's DQN: it needs algo dqn");
    if (strcmp(cfg->optimizer, "adam") == 0 && !dqn)
        return arc_err_set(err, ARC_ERR_ARG, "optimizer adam is a DQN option: A3C's actors share "
                                             "RMSProp statistics (use optimizer rmsprop)");
    if (cfg->dueling && !dqn)
        return arc_err_set(err, ARC_ERR_ARG, "dueling is a DQN option: the A3C head is policy + value");
    for (size_t i = 0; dqn && i < sizeof dqn_defaults / sizeof dqn_defaults[0]; i++) {
        const Key *key = find_key(dqn_defaults[i].key);
        if (cfg->explicit_keys >> (key - keys) & 1) continue;
        uint64_t mask = cfg->explicit_keys;
        ARC_CHECK(set_key(cfg, key, dqn_defaults[i].value, "", err) == ARC_OK, "bad DQN default");
        cfg->explicit_keys = mask;
    }
    if (strcmp(cfg->dist, "allreduce") != 0 && !arc_dist_compiled())
        return arc_err_set(err, ARC_ERR_ARG, "dist %s needs the MPI build (make MPI=1, then mpirun "
                                             "... bin/arcade-mpi train)", cfg->dist);
    if (!dqn && strcmp(cfg->device, "gpu") == 0) {
        if (cfg->explicit_keys >> (find_key("learner") - keys) & 1 && strcmp(cfg->learner, "async") == 0)
            return arc_err_set(err, ARC_ERR_ARG, "--device gpu trains on the batched learner: it "
                                                 "cannot be combined with --learner async");
        strcpy(cfg->learner, "batched");
    }
    if (!dqn && cfg->sync && strcmp(cfg->learner, "batched") == 0)
        return arc_err_set(err, ARC_ERR_ARG, "--sync is a mode of the async learner: it cannot be "
                                             "combined with --learner batched%s",
                           strcmp(cfg->device, "gpu") == 0 ? " (implied by --device gpu)" : "");
    if (cfg->out[0] == '\0') snprintf(cfg->out, sizeof cfg->out, "runs/%s-%s", cfg->game, cfg->algo);
    return ARC_OK;
}

void arc_train_config_write(const ArcTrainConfig *cfg, FILE *out)
{
    fprintf(out, "[train]\n");
    for (int i = 0; i < NUM_KEYS; i++) {
        char value[600];
        format_value(cfg, &keys[i], true, value, sizeof value);
        fprintf(out, "%s = %s\n", keys[i].name, value);
    }
}

int64_t arc_train_config_next_checkpoint(const ArcTrainConfig *cfg, int64_t frames)
{
    int64_t next = 0, every = cfg->checkpoint_every, per_decade = cfg->checkpoint_log;
    if (every > 0) next = (frames / every + 1) * every;
    for (int64_t j = 3 * per_decade; per_decade > 0; j++) {
        int64_t at = llround(pow(10.0, (double)j / (double)per_decade));
        if (at <= frames) continue;
        if (next == 0 || at < next) next = at;
        break;
    }
    return next;
}
